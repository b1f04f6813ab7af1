"""Building documents: the pipeline of one fund, batches, watching a folder."""

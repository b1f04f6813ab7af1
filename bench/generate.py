"""Write N valid variations of the reference ETF (codes, names, holdings, returns differ).

    python bench/generate.py 200 bench/out/funds [--broken 3]
"""

from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "examples" / "513770.yaml"
NAMES_EN = ["Internet", "Technology", "Consumer", "Healthcare", "Dividend", "Energy", "Semiconductor", "Finance"]
NAMES_ZH = ["互联网", "科技", "消费", "医疗", "红利", "能源", "半导体", "金融"]
STOCKS = [("Alibaba-W", "阿里巴巴-W"), ("Tencent Holdings", "腾讯控股"), ("Xiaomi Group-W", "小米集团-W"),
          ("Meituan-W", "美团-W"), ("JD.com-SW", "京东集团-SW"), ("NetEase-S", "网易-S"), ("Baidu-SW", "百度集团-SW"),
          ("Kuaishou-W", "快手-W"), ("Trip.com-S", "携程集团-S"), ("Bilibili-W", "哔哩哔哩-W"), ("Kingsoft", "金山软件")]


def _dec(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def variation(i: int, rng: random.Random) -> dict:
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    k = i % len(NAMES_EN)
    code = f"{600000 + i:06d}"
    data["fund"]["code"] = code
    data["fund"]["share_classes"] = [
        {"class": "ETF", "code": code, "listed": True},
        {"class": "A", "code": f"{700000 + i:06d}", "feeder": True},
        {"class": "C", "code": f"{800000 + i:06d}", "feeder": True},
    ]
    data["fund"]["name"] = {"en": f"HK {NAMES_EN[k]} ETF {i}", "zh-CN": f"港股{NAMES_ZH[k]}ETF{i}"}
    weights = sorted((rng.uniform(1, 12) for _ in range(rng.randint(3, 10))), reverse=True)
    picks = rng.sample(STOCKS, len(weights))
    data["holdings"] = {
        "top10_weight": float(_dec(min(sum(weights) + 5, 99))),
        "top": [{"name": {"en": en, "zh-CN": zh}, "weight": float(_dec(w))} for (en, zh), w in zip(picks, weights)],
    }
    data["index"]["annual_returns"] = {y: float(_dec(rng.uniform(-40, 60))) for y in range(2020, 2025)}
    return data


def main(n: int, folder: Path, broken: int = 0) -> list[Path]:
    rng = random.Random(42)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        data = variation(i, rng)
        if i < broken:  # deliberately broken: a C2 investor class for an R4 fund
            data["fund"]["risk"]["min_investor"] = "C2"
        path = folder / f"{data['fund']['code']}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    args = sys.argv[1:]
    broken = int(args[args.index("--broken") + 1]) if "--broken" in args else 0
    main(int(args[0]), Path(args[1]), broken)

#!/usr/bin/env python3
"""The study's recipe in its own framework (REFERENCE.md: model, PyTorch-default init, SGD with
momentum 0.7 overridden by OneCycleLR's momentum cycling, L1 added to the loss, L2 as weight_decay,
torchvision augmentation, metric definitions), for fidelity checks against this harness:

    /usr/bin/python3 reference/pytorch/reference_pytorch.py --norm group --seeds 1            # the full study row
    /usr/bin/python3 reference/pytorch/reference_pytorch.py --norm layer --train-size 6000 --test-size 2000 --epochs 2 --seeds 1,2,3

Needs Debian's python3-torch and python3-torchvision. Prints one JSON object per seed:
{"norm", "l1", "l2", "seed", "epochs": [{"trainAcc", "testLoss", "testAcc"}], "bestTrainAcc", "bestTestAcc", "bestTestLoss"}.
A training subset (--train-size) is drawn with torch.randperm under the seed; the test subset is
the first --test-size test images.
"""
import argparse, json, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import torch
import torch.nn.functional as F
from bench_pytorch import Net, Mnist, read_idx


def run(kind, l1, l2, seed, epochs, train_size, test_size, log):
    torch.manual_seed(seed)
    model = Net(kind)
    opt = torch.optim.SGD(model.parameters(), lr=0.015, momentum=0.7, weight_decay=l2)
    ds = Mnist(60000, True)
    if train_size < 60000:
        idx = torch.randperm(60000, generator=torch.Generator().manual_seed(seed))[:train_size].tolist()
        ds = torch.utils.data.Subset(ds, idx)
    loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.015, epochs=epochs, steps_per_epoch=len(loader))
    tx = read_idx("t10k-images-idx3-ubyte", 16).reshape(-1, 28, 28)[:test_size]
    ty = torch.tensor(read_idx("t10k-labels-idx1-ubyte", 8)[:test_size].astype(np.int64))
    X = ((torch.tensor(tx, dtype=torch.float32) / 255 - 0.1307) / 0.3081).unsqueeze(1)
    hist = []
    for e in range(epochs):
        t0 = time.time()
        model.train()
        correct = seen = 0
        for x, y in loader:
            opt.zero_grad()
            logp = model(x)
            loss = F.nll_loss(logp, y)
            if l1:
                loss = loss + l1 * sum(p.abs().sum() for p in model.parameters())
            loss.backward()
            opt.step()
            sched.step()
            correct += (logp.argmax(1) == y).sum().item()
            seen += len(y)
        model.eval()
        with torch.no_grad():
            logp = torch.cat([model(X[i:i + 1000]) for i in range(0, len(X), 1000)])
            test_loss = F.nll_loss(logp, ty, reduction="sum").item() / len(ty)
            test_acc = (logp.argmax(1) == ty).float().mean().item() * 100
        hist.append({"trainAcc": 100 * correct / seen, "testLoss": test_loss, "testAcc": test_acc})
        log(f"{kind} l1={l1} l2={l2} seed={seed} epoch {e + 1}/{epochs}: train {hist[-1]['trainAcc']:.2f} test {test_acc:.2f} loss {test_loss:.4f} ({time.time() - t0:.0f}s)")
    return {
        "norm": kind, "l1": l1, "l2": l2, "seed": seed, "epochs": hist,
        "bestTrainAcc": max(h["trainAcc"] for h in hist), "bestTestAcc": max(h["testAcc"] for h in hist),
        "bestTestLoss": min(h["testLoss"] for h in hist),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--norm", choices=["batch", "layer", "group"], required=True)
    ap.add_argument("--l1", type=float, default=0.0)
    ap.add_argument("--l2", type=float, default=0.0)
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--train-size", type=int, default=60000)
    ap.add_argument("--test-size", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for seed in [int(s) for s in a.seeds.split(",")]:
        r = run(a.norm, a.l1, a.l2, seed, a.epochs, a.train_size, a.test_size, lambda m: print(m, file=sys.stderr, flush=True))
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    sys.exit(main())

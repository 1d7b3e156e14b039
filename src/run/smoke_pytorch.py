#!/usr/bin/env python3
"""The smoke profile's setting (a 6,000-image training subset, 2,000 test images, 2 epochs,
OneCycleLR over those steps, the study's augmentation) trained by the study's own PyTorch
formulation under seeds 1-3, to show how seed-dependent 2-epoch results are for each norm:

    /usr/bin/python3 src/run/smoke_pytorch.py

Prints, per norm / L1, a list over seeds of [(train acc, test acc) per epoch].
"""
import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch, torch.nn.functional as F, numpy as np
from bench_pytorch import Net, Mnist, read_idx
torch.set_num_threads(1)
def run(kind, l1, seed, n=6000, epochs=2):
    torch.manual_seed(seed)
    model = Net(kind)
    opt = torch.optim.SGD(model.parameters(), lr=0.015, momentum=0.7)
    ds = Mnist(60000, True)
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(60000, generator=g)[:n].tolist()
    sub = torch.utils.data.Subset(ds, idx)
    loader = torch.utils.data.DataLoader(sub, batch_size=64, shuffle=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.015, epochs=epochs, steps_per_epoch=len(loader))
    tx = read_idx("t10k-images-idx3-ubyte", 16).reshape(-1, 28, 28)[:2000]
    ty = torch.tensor(read_idx("t10k-labels-idx1-ubyte", 8)[:2000].astype(np.int64))
    X = ((torch.tensor(tx, dtype=torch.float32) / 255 - 0.1307) / 0.3081).unsqueeze(1)
    out = []
    for e in range(epochs):
        model.train(); c = 0; s = 0
        for x, y in loader:
            opt.zero_grad()
            lp = model(x); loss = F.nll_loss(lp, y)
            if l1: loss = loss + l1 * sum(p.abs().sum() for p in model.parameters())
            loss.backward(); opt.step(); sched.step()
            c += (lp.argmax(1) == y).sum().item(); s += len(y)
        model.eval()
        with torch.no_grad():
            lp = model(X); acc = (lp.argmax(1) == ty).float().mean().item() * 100
        out.append((round(100 * c / s, 1), round(acc, 1)))
    return out
for kind, l1 in [("group", 0), ("group", 0.001), ("layer", 0), ("batch", 0)]:
    print(kind, l1, [run(kind, l1, s) for s in (1, 2, 3)], flush=True)

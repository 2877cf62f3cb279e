"""The PyTorch side of the GPU check: the same two models as `Keras.Benchmarks -- gpu` (digits MLP 64-512-512-10,
batch 256; a transformer block: 8-head attention with key_dim 32 on (128, 256) inputs, residual adds, a 1024-unit GELU
Dense and a 256-unit Dense, MSE, batch 64), Adam(eps=1e-7), trained in float32, bfloat16 autocast and float16 autocast
with a GradScaler, the torch equivalents of Keras' float32, mixed_bfloat16 and mixed_float16. Prints steps per second in
the same format. Run: python3 benchmarks/gpu/pytorch_reference.py [steps]"""
import gzip, os, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
if not torch.cuda.is_available():
    sys.exit("pytorch_reference: no CUDA device")
dev = torch.device("cuda")
print(f"device: cuda:{torch.cuda.current_device()}  steps timed per case: {steps}  torch {torch.__version__}")

root = os.path.dirname(os.path.abspath(__file__))
rows = [l.split(",") for l in gzip.open(os.path.join(root, "..", "..", "tests", "data", "digits.csv.gz"), "rt").read().splitlines()]
dx = torch.tensor([[float(v) / 16 for v in r[:64]] for r in rows])
dy = torch.tensor([int(r[64]) for r in rows])


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = nn.Linear(256, 256), nn.Linear(256, 256), nn.Linear(256, 256)
        self.o = nn.Linear(256, 256)
        self.h, self.p = nn.Linear(256, 1024), nn.Linear(1024, 256)

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = (f(x).view(b, t, 8, 32).transpose(1, 2) for f in (self.q, self.k, self.v))
        a = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, t, 256)
        r = x + self.o(a)
        return r + self.p(F.gelu(self.h(r)))


def time_steps(make, x, y, loss_fn, policy):
    model = make().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    dtype = {"mixed_bfloat16": torch.bfloat16, "mixed_float16": torch.float16}.get(policy)
    scaler = torch.cuda.amp.GradScaler(enabled=policy == "mixed_float16")
    x, y = x.to(dev), y.to(dev)

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=dtype or torch.float32, enabled=dtype is not None):
            out = model(x)
        loss = loss_fn(out.float(), y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        return loss.item()  # as Keras reads the loss back each step

    for _ in range(10):
        step()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    return steps / (time.perf_counter() - start)


g = torch.Generator().manual_seed(5)
tx, ty = torch.randn(64, 128, 256, generator=g), torch.randn(64, 128, 256, generator=g)
for policy in ("float32", "mixed_bfloat16", "mixed_float16"):
    mlp = lambda: nn.Sequential(nn.Linear(64, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    print(f"{'digits_mlp':<18} {policy:<15} {time_steps(mlp, dx[:256], dy[:256], F.cross_entropy, policy):10.1f} steps/s")
    print(f"{'transformer_block':<18} {policy:<15} {time_steps(Block, tx, ty, F.mse_loss, policy):10.1f} steps/s")

#!/usr/bin/env bash
# The GPU check of README "GPUs and mixed precision": trains the digits MLP and a transformer block on CUDA in float32,
# mixed_bfloat16 and mixed_float16 with Keras.Runtime, then the same models in PyTorch on the same machine, and prints
# steps/s for each side by side. One command on a machine with an NVIDIA GPU:
#
#   bash benchmarks/gpu/run-gpu-check.sh [steps]
#
# The LibTorch CUDA natives come from the TorchSharp-cuda-linux package when NuGet serves it, else from a local PyTorch
# install whose LibTorch matches TorchSharp 0.107 (2.10.x): its torch/lib folder goes on LD_LIBRARY_PATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="${1:-200}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || { echo "no NVIDIA driver (nvidia-smi failed)"; exit 3; }

backend=cuda
if ! dotnet build -c Release benchmarks/Keras.Benchmarks -p:KerasTorchBackend=cuda -o /tmp/keras-gpu-bench >/tmp/keras-gpu-build.log 2>&1; then
  echo "TorchSharp-cuda-linux could not be restored; trying a local PyTorch's LibTorch instead (see /tmp/keras-gpu-build.log)."
  backend=system
  torch_lib="$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
  torch_version="$(python3 -c 'import torch; print(torch.__version__)')"
  case "$torch_version" in 2.10.*) ;; *) echo "warning: local PyTorch is $torch_version; TorchSharp 0.107 is built for LibTorch 2.10" ;; esac
  dotnet build -c Release benchmarks/Keras.Benchmarks -p:KerasTorchBackend=system -o /tmp/keras-gpu-bench >/tmp/keras-gpu-build.log 2>&1 \
    || { tail -30 /tmp/keras-gpu-build.log; exit 1; }
  export LD_LIBRARY_PATH="$torch_lib:${LD_LIBRARY_PATH:-}"
fi
echo "== Keras.Runtime ($backend LibTorch)"
dotnet /tmp/keras-gpu-bench/Keras.Benchmarks.dll gpu "$steps"
echo "== PyTorch"
python3 benchmarks/gpu/pytorch_reference.py "$steps"

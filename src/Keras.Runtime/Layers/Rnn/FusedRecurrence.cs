using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// The fused recurrent kernels (TorchSharp's native <c>nn.LSTM</c>/<c>nn.GRU</c>/<c>nn.RNN</c>, cuDNN on CUDA) behind
    /// a recurrent layer whose configuration they express (Keras' cuDNN rule: tanh/sigmoid activations, a bias, no
    /// recurrent dropout, no mask or a right-padded one: read at each row's length, or run as packed sequences). TorchSharp 0.107 exposes these kernels only as modules with their own parameters, so
    /// each call copies the layer's Keras-layout weights into the module (PyTorch layout and gate order, once per call,
    /// not per step) and, when gradients are needed, runs the module inside a custom autograd function whose backward
    /// maps the module's gradients back to the Keras variables.
    /// </summary>
    internal sealed class FusedRecurrence : IDisposable
    {
        internal enum Kind { Lstm, Gru, RnnTanh, RnnRelu }

        private readonly Kind _kind;
        private readonly long _features, _units;
        private readonly Dictionary<(DeviceType, int, ScalarType), nn.Module> _modules = new Dictionary<(DeviceType, int, ScalarType), nn.Module>();
        private readonly HashSet<nn.Module> _inFlight = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);

        internal FusedRecurrence(Kind kind, long features, long units)
        {
            _kind = kind;
            _features = features;
            _units = units;
        }

        private nn.Module NewModule(Device device, ScalarType type)
        {
            var module = CreateModule(device, type);
            foreach (var (_, p) in module.named_parameters()) p.DetachFromDisposeScope(); // owned by the module, not by a caller's scope
            return module;
        }

        private nn.Module CreateModule(Device device, ScalarType type) => _kind switch
        {
            Kind.Lstm => nn.LSTM(_features, _units, numLayers: 1, bias: true, batchFirst: true, device: device, dtype: type),
            Kind.Gru => nn.GRU(_features, _units, numLayers: 1, bias: true, batchFirst: true, device: device, dtype: type),
            Kind.RnnTanh => nn.RNN(_features, _units, numLayers: 1, nonLinearity: nn.NonLinearities.Tanh, bias: true, batchFirst: true, device: device, dtype: type),
            _ => nn.RNN(_features, _units, numLayers: 1, nonLinearity: nn.NonLinearities.ReLU, bias: true, batchFirst: true, device: device, dtype: type),
        };

        /// <summary>A module for this device and dtype not used by a pending backward pass (a new one when the cached one is).</summary>
        private nn.Module Acquire(Device device, ScalarType type, out bool owned)
        {
            lock (_modules)
            {
                var key = (device.type, device.index, type);
                if (!_modules.TryGetValue(key, out var module))
                {
                    module = NewModule(device, type);
                    _modules[key] = module;
                }
                owned = _inFlight.Contains(module);
                if (owned) return NewModule(device, type);
                return module;
            }
        }

        private void MarkInFlight(nn.Module module, bool inFlight)
        {
            lock (_modules)
            {
                if (inFlight) _inFlight.Add(module);
                else _inFlight.Remove(module);
            }
        }

        /// <summary>Keras blocks (z, r, h) to PyTorch's (r, z, n) along axis 0 (its own inverse).</summary>
        private static Tensor SwapFirstBlocks(Tensor t, long units)
        {
            using var a = t.narrow(0, 0, units);
            using var b = t.narrow(0, units, units);
            using var rest = t.narrow(0, 2 * units, t.shape[0] - 2 * units);
            return torch.cat(new[] { b, a, rest }, 0);
        }

        /// <summary>The module's (weight_ih, weight_hh, bias_ih, bias_hh) from Keras' kernel, recurrent kernel and bias.</summary>
        private Tensor[] ToModuleLayout(Tensor kernel, Tensor recurrent, Tensor bias)
        {
            using var kt = kernel.t();
            using var ut = recurrent.t();
            if (_kind == Kind.Gru)
            {
                using var input = bias.select(0, 0);
                using var hidden = bias.select(0, 1);
                return new[] { SwapFirstBlocks(kt, _units), SwapFirstBlocks(ut, _units), SwapFirstBlocks(input, _units), SwapFirstBlocks(hidden, _units) };
            }
            return new[] { kt.contiguous(), ut.contiguous(), bias.clone(), torch.zeros_like(bias) };
        }

        /// <summary>Gradients of the module's parameters back in Keras' layout: kernel, recurrent kernel, bias.</summary>
        private Tensor[] ToKerasLayout(Tensor? wih, Tensor? whh, Tensor? bih, Tensor? bhh)
        {
            Tensor? kernel = null, recurrent = null, bias = null;
            if (_kind == Kind.Gru)
            {
                if (wih is not null)
                {
                    using var swapped = SwapFirstBlocks(wih, _units);
                    kernel = swapped.t().contiguous();
                }
                if (whh is not null)
                {
                    using var swapped = SwapFirstBlocks(whh, _units);
                    recurrent = swapped.t().contiguous();
                }
                if (bih is not null && bhh is not null)
                {
                    using var i = SwapFirstBlocks(bih, _units);
                    using var h = SwapFirstBlocks(bhh, _units);
                    bias = torch.stack(new[] { i, h }, 0);
                }
            }
            else
            {
                if (wih is not null) kernel = wih.t().contiguous();
                if (whh is not null) recurrent = whh.t().contiguous();
                if (bih is not null) bias = bih.clone(); // bias_hh is a constant zero: the Keras bias enters once
            }
            return new[] { kernel!, recurrent!, bias! };
        }

        private static void Load(nn.Module module, Tensor[] values)
        {
            using var _ = torch.no_grad();
            int i = 0;
            foreach (var (_, parameter) in module.named_parameters()) parameter.copy_(values[i++]);
        }

        private (Tensor Output, Tensor H, Tensor? C) Forward(nn.Module module, Tensor x, Tensor h0, Tensor? c0, long[]? lengths)
        {
            // LibTorch 2.10's CPU inference LSTM (the oneDNN kernel it takes when autograd is off) returns wrong values for
            // small hidden sizes (3 units: off by 0.1-0.3; FusedRecurrentTests and the harness in the closing note of issue 13).
            // The autograd path is right: run it, then drop the graph. Packed sequences take LibTorch's packed kernel, which
            // oneDNN does not serve and which is right without autograd (FusedMaskedRecurrentTests pins it at 3 units).
            bool detach = lengths is null && module is TorchSharp.Modules.LSTM && !torch.is_grad_enabled() && x.device_type == DeviceType.CPU;
            using (detach ? torch.enable_grad() : null)
            {
                var (output, hn, cn) = lengths is null ? ForwardPadded(module, x, h0, c0) : ForwardPacked(module, x, h0, c0, lengths);
                if (!detach) return (output, hn, cn);
                using (output)
                using (hn)
                using (cn)
                    return (output.detach(), hn.detach(), cn?.detach());
            }
        }

        /// <summary>The module on the whole (batch, time, features) sequence; states (batch, units).</summary>
        private static (Tensor Output, Tensor H, Tensor? C) ForwardPadded(nn.Module module, Tensor x, Tensor h0, Tensor? c0)
        {
            using var h = h0.unsqueeze(0);
            if (module is TorchSharp.Modules.LSTM lstm)
            {
                using var c = c0!.unsqueeze(0);
                var (output, hn, cn) = lstm.forward(x, (h, c));
                using (hn)
                using (cn)
                    return (output, hn.squeeze(0), cn.squeeze(0));
            }
            var (o, hn2) = module is TorchSharp.Modules.GRU gru ? gru.forward(x, h) : ((TorchSharp.Modules.RNN)module).forward(x, h);
            using (hn2) return (o, hn2.squeeze(0), null);
        }

        /// <summary>
        /// The module on right-padded rows as a packed sequence (row b keeps its first lengths[b] steps, every length at
        /// least 1): the output (batch, time, units) holds zeros after each row's length, the states are those of each
        /// row's last kept step, in the rows' own order (the module sorts and unsorts them).
        /// </summary>
        private static (Tensor Output, Tensor H, Tensor? C) ForwardPacked(nn.Module module, Tensor x, Tensor h0, Tensor? c0, long[] lengths)
        {
            using var lengthTensor = torch.tensor(lengths, ScalarType.Int64); // host: pack_padded_sequence takes its lengths on the CPU
            using var packed = nn.utils.rnn.pack_padded_sequence(x, lengthTensor, batch_first: true, enforce_sorted: false);
            using var h = h0.unsqueeze(0);
            nn.utils.rnn.PackedSequence result;
            Tensor hn, cn = null!;
            if (module is TorchSharp.Modules.LSTM lstm)
            {
                using var c = c0!.unsqueeze(0);
                (result, hn, cn) = lstm.call(packed, (h, c));
            }
            else if (module is TorchSharp.Modules.GRU gru) (result, hn) = gru.call(packed, h);
            else (result, hn) = ((TorchSharp.Modules.RNN)module).call(packed, h);
            using (result)
            using (hn)
            using (cn)
            {
                var (output, sizes) = nn.utils.rnn.pad_packed_sequence(result, batch_first: true, padding_value: 0, total_length: x.shape[1]);
                sizes.Dispose();
                return (output, hn.squeeze(0), cn?.squeeze(0));
            }
        }

        /// <summary>
        /// Runs the whole sequence: x (batch, time, features) from states h0 (and c0 for LSTM), with Keras' weights (in the
        /// compute dtype). Returns the outputs (batch, time, units) and the final states, differentiable with respect to
        /// x, the weights and the initial states when gradients are enabled. With <paramref name="lengths"/> (right-padded
        /// rows: row b keeps its first lengths[b] ≥ 1 steps) the kernel runs on packed sequences: outputs are zeros after
        /// each row's length and the states are those of each row's last kept step.
        /// </summary>
        internal Tensor[] Run(Tensor x, Tensor kernel, Tensor recurrent, Tensor bias, Tensor h0, Tensor? c0, long[]? lengths = null)
        {
            bool needGrad = torch.is_grad_enabled() &&
                            (x.requires_grad || kernel.requires_grad || recurrent.requires_grad || bias.requires_grad || h0.requires_grad || c0?.requires_grad == true);
            if (!needGrad)
            {
                var module = Acquire(x.device, x.dtype, out bool owned);
                try
                {
                    using var noGrad = torch.no_grad();
                    var layout = ToModuleLayout(kernel, recurrent, bias);
                    try
                    {
                        Load(module, layout);
                    }
                    finally
                    {
                        foreach (var t in layout) t.Dispose();
                    }
                    var (output, h, c) = Forward(module, x, h0, c0, lengths);
                    return c is null ? new[] { output, h } : new[] { output, h, c };
                }
                finally
                {
                    if (owned) module.Dispose();
                }
            }
            return Function.apply(x, kernel, recurrent, bias, h0, c0, lengths!, this).ToArray();
        }

        /// <summary>
        /// The fused kernel as an autograd function: the forward pass runs the module without a graph and saves only its
        /// inputs (freed with the autograd node); the backward pass runs the module again on detached leaves with a graph
        /// and maps its gradients back to Keras' layout. One extra fused forward per training step buys a graph that needs
        /// no ownership beyond the node's own saved tensors.
        /// </summary>
        private sealed class Function : torch.autograd.MultiTensorFunction<Function>
        {
            public override string Name => "KerasFusedRecurrence";

            public override List<Tensor> forward(torch.autograd.AutogradContext ctx, params object[] vars)
            {
                var x = (Tensor)vars[0];
                var kernel = (Tensor)vars[1];
                var recurrent = (Tensor)vars[2];
                var bias = (Tensor)vars[3];
                var h0 = (Tensor)vars[4];
                var c0 = vars[5] as Tensor;
                var lengths = vars[6] as long[];
                var self = (FusedRecurrence)vars[7];
                var (output, h, c) = self.RunModule(x, kernel, recurrent, bias, h0, c0, lengths);
                var saved = new List<Tensor> { x, kernel, recurrent, bias, h0 };
                if (c0 is not null) saved.Add(c0);
                ctx.save_for_backward(saved);
                ctx.save_data("self", self);
                if (lengths is not null) ctx.save_data("lengths", lengths);
                ctx.set_materialize_grads(false); // outputs a caller dropped get no gradient (and may be disposed)
                return c is null ? new List<Tensor> { output, h } : new List<Tensor> { output, h, c };
            }

            public override List<Tensor> backward(torch.autograd.AutogradContext ctx, List<Tensor> grad_outputs)
            {
                var self = (FusedRecurrence)ctx.get_data("self");
                var saved = ctx.get_saved_variables();
                var lengths = ctx.get_data("lengths") as long[];
                var none = new List<Tensor> { null!, null!, null!, null!, null!, null!, null!, null! };
                var leaves = new List<Tensor>();
                var outputs = new List<Tensor>();
                try
                {
                    using var scope = torch.NewDisposeScope();
                    using (torch.enable_grad())
                    {
                        var x = saved[0].detach().requires_grad_(true);
                        var h0 = saved[4].detach().requires_grad_(true);
                        var c0 = saved.Count > 5 ? saved[5].detach().requires_grad_(true) : null;
                        var module = self.Acquire(x.device, x.dtype, out bool owned);
                        try
                        {
                            var layout = self.ToModuleLayout(saved[1], saved[2], saved[3]);
                            Load(module, layout);
                            var parameters = new List<Tensor>();
                            foreach (var (_, p) in module.named_parameters()) parameters.Add(p);
                            var (output, h, c) = self.Forward(module, x, h0, c0, lengths);
                            var produced = c is null ? new[] { output, h } : new[] { output, h, c };
                            var given = new List<Tensor>();
                            for (int i = 0; i < produced.Length && i < grad_outputs.Count; i++)
                            {
                                if (grad_outputs[i] is null || grad_outputs[i].IsInvalid) continue;
                                outputs.Add(produced[i]);
                                given.Add(grad_outputs[i]);
                            }
                            if (outputs.Count == 0) return none;
                            leaves.Add(x);
                            leaves.AddRange(parameters); // weight_ih, weight_hh, bias_ih, bias_hh
                            leaves.Add(h0);
                            if (c0 is not null) leaves.Add(c0);
                            var grads = torch.autograd.grad(outputs, leaves, given, allow_unused: true);
                            Tensor? G(int i) => i < grads.Count && grads[i] is { } g && !g.IsInvalid ? g : null;
                            var keras = self.ToKerasLayout(G(1), G(2), G(3), G(4));
                            var result = new List<Tensor> { G(0)!, keras[0], keras[1], keras[2], G(5)!, c0 is null ? null! : G(6)!, null!, null! };
                            foreach (var t in result) t?.MoveToOuterDisposeScope();
                            return result;
                        }
                        finally
                        {
                            if (owned) module.Dispose();
                        }
                    }
                }
                finally
                {
                    foreach (var t in saved) t.Dispose();
                }
            }
        }

        /// <summary>The module's forward without a graph.</summary>
        private (Tensor Output, Tensor H, Tensor? C) RunModule(Tensor x, Tensor kernel, Tensor recurrent, Tensor bias, Tensor h0, Tensor? c0, long[]? lengths)
        {
            using var noGrad = torch.no_grad();
            var module = Acquire(x.device, x.dtype, out bool owned);
            try
            {
                var layout = ToModuleLayout(kernel, recurrent, bias);
                try
                {
                    Load(module, layout);
                }
                finally
                {
                    foreach (var t in layout) t.Dispose();
                }
                return Forward(module, x, h0, c0, lengths);
            }
            finally
            {
                if (owned) module.Dispose();
            }
        }

        public void Dispose()
        {
            lock (_modules)
            {
                foreach (var module in _modules.Values) module.Dispose();
                _modules.Clear();
            }
        }
    }
}

using System;
using Keras.Errors;
using Keras.Interop;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras
{
    /// <summary>
    /// <c>keras.Variable</c>: a named weight backed by a TorchSharp tensor (a Parameter when trainable). Its native
    /// memory is released by Dispose, by ClearSession and by SetBackend; reading it afterwards raises
    /// <see cref="KerasObjectReleasedException"/>.
    /// </summary>
    public sealed class KerasVariable : IDisposable, ISessionObject
    {
        private Tensor? _value;
        private ReleaseReason? _released;
        private bool _disposed;

        internal KerasVariable(string name, string path, Tensor value, bool trainable)
        {
            Name = name;
            Path = path;
            Trainable = trainable;
            Shape = value.shape;
            Dtype = Dtypes.FromScalarType(value.dtype);
            if (trainable)
            {
                // The Parameter holds its own reference to the storage; the initializer's handle is ours to free.
                _value = new TorchSharp.Modules.Parameter(value, requires_grad: true);
                value.Dispose();
            }
            else
            {
                _value = value;
            }
            // The variable owns its tensor for its whole life: a layer built inside someone's dispose scope (a Fit step,
            // a user's NewDisposeScope) must not lose its weights when that scope ends.
            _value.DetachFromDisposeScope();
            GlobalState.Registry.Register(this);
        }

        /// <summary>The variable's name, e.g. "kernel".</summary>
        public string Name { get; }

        /// <summary>The variable's path, e.g. "dense/kernel".</summary>
        public string Path { get; }

        /// <summary>Whether optimizers update it.</summary>
        public bool Trainable { get; }

        /// <summary>The shape.</summary>
        public long[] Shape { get; }

        /// <summary>The dtype name (the policy's variable dtype).</summary>
        public string Dtype { get; }

        /// <summary>The penalty added to the training loss for this weight (Keras' <c>variable.regularizer</c>), or null.</summary>
        public Regularizers.Regularizer? Regularizer { get; internal set; }

        /// <summary>The projection applied after each optimizer step (Keras' <c>variable.constraint</c>), or null.</summary>
        public Constraints.Constraint? Constraint { get; internal set; }

        /// <summary>True once the native memory was released.</summary>
        public bool IsReleased => _released != null || _disposed;

        /// <summary>The backing tensor. Do not dispose it: the variable owns it.</summary>
        public Tensor Value
        {
            get
            {
                EnsureAlive();
                return _value!;
            }
        }

        /// <summary>Copies <paramref name="value"/> into the variable (shape must match).</summary>
        public void Assign(Tensor value)
        {
            EnsureAlive();
            if (!value.shape.AsSpan().SequenceEqual(Shape))
                throw new KerasArgumentException(
                    $"The shape of the target variable and the shape of the target value in `variable.assign(value)` must match. " +
                    $"variable.shape=({string.Join(", ", Shape)}), Received: value.shape=({string.Join(", ", value.shape)}). Target variable: {Path}");
            using (torch.no_grad())
                _value!.copy_(value);
        }

        /// <summary>The values as a flat array (row-major), like Keras' variable.numpy().</summary>
        public T[] ToArray<T>() where T : unmanaged
        {
            using var detached = Value.detach();
            using var cpu = detached.cpu();
            return cpu.data<T>().ToArray();
        }

        internal void EnsureAlive()
        {
            if (_disposed) throw new KerasObjectReleasedException(Path, $"The Keras variable '{Path}' has been disposed.");
            if (_released is { } reason) throw new KerasObjectReleasedException(Path, ReleaseMessages.For("variable", Path, reason));
        }

        void ISessionObject.Release(ReleaseReason reason)
        {
            if (_released != null || _disposed) return;
            _released = reason;
            _value?.Dispose();
            _value = null;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _value?.Dispose();
            _value = null;
        }

        /// <inheritdoc />
        public override string ToString() =>
            $"<KerasVariable path={Path}, shape=({string.Join(", ", Shape)}), dtype={Dtype}>";
    }

    internal static class ReleaseMessages
    {
        public static string For(string kind, string name, ReleaseReason reason) => reason switch
        {
            ReleaseReason.SetBackend =>
                $"The Keras {kind} '{name}' was created before Keras.Config.SetBackend(...) reloaded Keras. As in Keras, objects " +
                "created before set_backend are not converted, and this one's native memory was released. Create it again after SetBackend.",
            _ =>
                $"The Keras {kind} '{name}' was created before Keras.Utils.ClearSession() (or Keras.Backend.ClearSession()), " +
                "which released its native memory. Create the layer or model again after ClearSession().",
        };
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.State;
using PureHDF;
using Keras.SavingLib.Hdf5;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.SavingLib
{
    /// <summary>One <c>vars</c> group of a weight file: its path below the owner's group, its name attribute, its variables.</summary>
    internal sealed class VariableGroup
    {
        public VariableGroup(string path, string name, IReadOnlyList<KerasVariable> variables)
        {
            Path = path;
            Name = name;
            Variables = variables;
        }

        public string Path { get; }
        public string Name { get; }
        public IReadOnlyList<KerasVariable> Variables { get; }
    }

    /// <summary>
    /// Keras 3's weight file (<c>.weights.h5</c>, and <c>model.weights.h5</c> inside a <c>.keras</c> archive; reference
    /// §4.2): each saveable writes its variables as datasets "0", "1", ... of <c>{path}/vars</c>, the group carrying the
    /// object's name. A model's layers live under <c>layers/</c> named from their class in snake case, counted per
    /// container (<c>dense</c>, <c>dense_1</c>), not from the layer's own name; the optimizer's state under
    /// <c>optimizer/vars</c> (iteration, learning_rate, slots).
    /// </summary>
    internal static class WeightsFile
    {
        /// <summary>Every saveable of <paramref name="model"/> with its path, in Keras' traversal order; each object once.</summary>
        internal static IReadOnlyList<(string Path, Layer Layer)> Walk(Model model)
        {
            var result = new List<(string, Layer)> { ("", model) };
            var visited = new HashSet<Layer>(ReferenceEqualityComparer.Instance) { model };
            AddChildren(model, "", visited, result);
            return result;
        }

        private static void AddChildren(Model model, string prefix, HashSet<Layer> visited, List<(string, Layer)> result)
        {
            var used = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var layer in model.Layers)
            {
                if (layer is Ops.Operation) continue; // Keras' model.layers holds no operations: they have no group and take no name
                string name = Naming.ToSnakeCase(layer.KerasClassName);
                if (used.TryGetValue(name, out int count))
                {
                    used[name] = count + 1;
                    name = name + "_" + (count + 1);
                }
                else
                {
                    used[name] = 0;
                }
                if (!visited.Add(layer)) continue;
                string path = Join(prefix, "layers/" + name);
                AddLayer(path, layer, visited, result);
            }
        }

        /// <summary>A layer, the layers it holds as attributes (saved below it), and a nested model's own layers.</summary>
        private static void AddLayer(string path, Layer layer, HashSet<Layer> visited, List<(string, Layer)> result)
        {
            result.Add((path, layer));
            foreach (var (subPath, sublayer) in layer.SavedSublayers())
                if (visited.Add(sublayer)) AddLayer(Join(path, subPath), sublayer, visited, result);
            if (layer is Model inner) AddChildren(inner, path, visited, result);
        }

        private static string Join(string a, string b) => a.Length == 0 ? b : a + "/" + b;

        /// <summary>Writes the model's (and its optimizer's) variables to <paramref name="stream"/>.</summary>
        internal static void Write(Model model, Stream stream, IReadOnlyDictionary<string, string>? rootAttributes = null)
        {
            var file = new H5File();
            if (rootAttributes != null) file.Attributes = rootAttributes.ToDictionary(p => p.Key, p => (object)p.Value);
            foreach (var (path, layer) in Walk(model))
                foreach (var group in layer.SavedVariableGroups())
                    WriteVars(Ensure(file, Join(path, group.Path)), group.Name, group.Variables.Select(v => v.Value).ToArray());
            if (model.Optimizer is { } optimizer) WriteOptimizer(file, "optimizer", optimizer);
            file.Write(stream);
        }

        /// <summary>An optimizer's variables at <c>{path}/vars</c>, then the optimizers it holds as attributes (LossScaleOptimizer's inner_optimizer).</summary>
        private static void WriteOptimizer(H5File file, string path, Optimizers.Optimizer optimizer)
        {
            var state = optimizer.StateTensors();
            try
            {
                WriteVars(Ensure(file, path + "/vars"), optimizer.Name, state.Select(s => s.Value).ToArray());
            }
            finally
            {
                foreach (var (_, value) in state) value.Dispose();
            }
            foreach (var (attribute, child) in optimizer.SavedChildren()) WriteOptimizer(file, path + "/" + attribute, child);
        }

        private static H5Group Ensure(H5Group root, string path)
        {
            H5Group group = root;
            foreach (var part in path.Split('/'))
            {
                if (!group.TryGetValue(part, out var child))
                {
                    child = new H5Group();
                    group[part] = child;
                }
                group = (H5Group)child;
            }
            return group;
        }

        private static void WriteVars(H5Group group, string name, IReadOnlyList<Tensor> values)
        {
            group.Attributes = new Dictionary<string, object> { ["name"] = name };
            for (int i = 0; i < values.Count; i++)
                group[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ToDataset(values[i]);
        }

        private static H5Dataset ToDataset(Tensor value)
        {
            using var detached = value.detach();
            using var cpu = detached.cpu();
            ulong[] dims = cpu.shape.Select(d => (ulong)d).ToArray();
            bool scalar = dims.Length == 0;
            switch (cpu.dtype)
            {
                case ScalarType.Float64:
                    {
                        var data = cpu.data<double>().ToArray();
                        return scalar ? new H5Dataset(data[0]) : new H5Dataset(data, fileDims: dims);
                    }
                case ScalarType.Int64:
                    {
                        var data = cpu.data<long>().ToArray();
                        return scalar ? new H5Dataset(data[0]) : new H5Dataset(data, fileDims: dims);
                    }
                case ScalarType.Int32:
                    {
                        var data = cpu.data<int>().ToArray();
                        return scalar ? new H5Dataset(data[0]) : new H5Dataset(data, fileDims: dims);
                    }
                default:
                    {
                        // float32 as is; float16 and bfloat16 are widened to float32 (loading accepts any float width).
                        using var asFloat = cpu.to_type(ScalarType.Float32);
                        var data = asFloat.data<float>().ToArray();
                        return scalar ? new H5Dataset(data[0]) : new H5Dataset(data, fileDims: dims);
                    }
            }
        }

        /// <summary>
        /// Loads the variables of <paramref name="model"/> (and its optimizer's state when both sides have one) from the
        /// weight file in <paramref name="stream"/>, all or nothing: every dataset is located and its shape checked
        /// against the variable it will fill before any data is read, then everything is read, and only then assigned.
        /// Layer failures (count or shape mismatches) are collected and reported together as Keras does, before any
        /// optimizer-state problem; with <paramref name="skipMismatch"/> they are warnings and those layers keep their
        /// values. Any other failure leaves the model exactly as it was.
        /// </summary>
        /// <returns>The string root attribute <paramref name="rootAttribute"/> of the file, when asked and present.</returns>
        internal static string? Read(Model model, Stream stream, string source, bool skipMismatch, string? rootAttribute = null, LoadLimits? limits = null)
        {
            var budget = limits ?? LoadLimits.Default;
            if (stream.Length > budget.MaxWeightsBytes)
                throw new KerasFileFormatException(
                    $"The weights file {source} has {stream.Length:N0} bytes, more than LoadLimits.MaxWeightsBytes ({budget.MaxWeightsBytes:N0}). Raise the " +
                    "limit if the file is trusted (Keras.LoadLimits.Default = Keras.LoadLimits.Default with { MaxWeightsBytes = ... }).");
            H5Reader file;
            try
            {
                file = H5Reader.Open(stream, source, budget.MaxHdf5Objects);
            }
            catch (Exception e) when (e is not IKerasException)
            {
                throw new KerasFileFormatException(
                    $"Unable to read the weights file {source}: it is not a valid HDF5 file ({e.Message}). The file may be truncated or corrupt; " +
                    "save the weights again or restore a backup.", e);
            }
            var plan = new List<(KerasVariable Variable, Tensor Value)>();
            var optimizerValues = new List<(Optimizers.Optimizer Optimizer, List<Tensor> Values)>();
            try
            {
                var failures = new List<(Layer Layer, string Error)>();
                try
                {
                    foreach (var (path, layer) in Walk(model))
                    {
                        string? error = PlanLayer(file, path, layer, plan);
                        if (error != null) failures.Add((layer, error));
                    }
                    if (failures.Count > 0)
                    {
                        var first = failures[0];
                        string message =
                            $"A total of {failures.Count} objects could not be loaded. Example error message for object {first.Layer}:\n\n{first.Error}\n\n" +
                            $"List of objects that could not be loaded:\n[{string.Join(", ", failures.Select(f => f.Layer.ToString()))}]";
                        if (!skipMismatch) throw new KerasArgumentException(message);
                        Utilities.IoUtils.Warn(message);
                    }
                    if (model.Optimizer is { } optimizer) PlanOptimizer(file, "optimizer", optimizer, optimizerValues);
                }
                catch (Exception e) when (e is not IKerasException)
                {
                    throw new KerasFileFormatException($"Unable to read the weights file {source}: {e.Message}", e);
                }
                string? attribute = rootAttribute == null ? null : ReadRootAttribute(file, rootAttribute);
                // Everything is read and checked: assign.
                // copy_ converts the dtype and moves to the variable's device itself: no intermediate tensors.
                foreach (var (variable, value) in plan) variable.Assign(value);
                foreach (var (optimizer, values) in optimizerValues) optimizer.LoadState(values);
                return attribute;
            }
            finally
            {
                foreach (var (_, value) in plan) value.Dispose();
                foreach (var value in optimizerValues.SelectMany(o => o.Values)) value.Dispose();
            }
        }

        /// <summary>
        /// Reads one layer's variables into <paramref name="plan"/> after checking their count and every shape; returns
        /// the error (and reads nothing for the layer) on a mismatch.
        /// </summary>
        private static string? PlanLayer(H5Reader file, string path, Layer layer, List<(KerasVariable, Tensor)> plan)
        {
            var groups = layer.SavedVariableGroups();
            var located = new List<(KerasVariable Variable, HdfDataset Dataset)>();
            foreach (var group in groups)
            {
                var datasets = FindVars(file, Join(path, group.Path));
                if (datasets.Count != group.Variables.Count)
                {
                    string expected = string.Join(", ", group.Variables.Select(v => "<Variable path=" + v.Path + ", shape=(" + string.Join(", ", v.Shape) + ")>"));
                    return group.Variables.Count == 0 && datasets.Count > 0 && !layer.Built
                        ? $"Layer '{layer.Name}' was never built and thus it doesn't have any variables. However the weights file lists {datasets.Count} " +
                          "variables for this layer. Build the model before loading (call it on a batch, or Build(inputShape)) so that every layer " +
                          "creates its weights; a layer that owns other layers must build them in its BuildCore."
                        : $"Layer '{group.Name}' expected {group.Variables.Count} variables, but received {datasets.Count} variables during loading. Expected: [{expected}]";
                }
                for (int i = 0; i < datasets.Count; i++) located.Add((group.Variables[i], datasets[i]));
            }
            foreach (var (variable, dataset) in located)
                if (!dataset.Shape.SequenceEqual(variable.Shape))
                    return $"The shape of the target variable and the shape of the target value in `variable.assign(value)` must match. " +
                           $"variable.shape=({string.Join(", ", variable.Shape)}), Received: value.shape=({string.Join(", ", dataset.Shape)}). Target variable: {variable.Path}";
            foreach (var (variable, dataset) in located) plan.Add((variable, ReadTensor(dataset)));
            return null;
        }

        /// <summary>
        /// Reads an optimizer's saved state at <c>{path}/vars</c> when its count and shapes match the optimizer (Keras warns
        /// and skips on a count mismatch), then the optimizers it holds as attributes (LossScaleOptimizer's
        /// inner_optimizer) from their own groups, as Keras' _load_state walks them. Nothing is assigned here.
        /// </summary>
        private static void PlanOptimizer(H5Reader file, string path, Optimizers.Optimizer optimizer, List<(Optimizers.Optimizer Optimizer, List<Tensor> Values)> plan)
        {
            var datasets = FindVars(file, path + "/vars");
            if (datasets.Count > 0)
            {
                int count = optimizer.StateCount;
                if (count != datasets.Count)
                {
                    Utilities.IoUtils.Warn(
                        $"Skipping variable loading for optimizer '{optimizer.Name}', because it has {count} variables whereas the saved optimizer has " +
                        $"{datasets.Count} variables. " + (count == 0 ? "This is likely because the optimizer has not been called/built yet." : ""));
                }
                else
                {
                    var expected = optimizer.StateShapesOf().ToArray();
                    for (int i = 0; i < expected.Length; i++)
                    {
                        var actual = datasets[i].Shape;
                        bool scalar = expected[i].Shape.Length == 0 && actual.Aggregate(1L, (a, b) => a * b) == 1; // a scalar saved as [1] is fine
                        if (!scalar && !actual.SequenceEqual(expected[i].Shape))
                            throw new KerasArgumentException(
                                $"Optimizer '{optimizer.Name}' variable {i} ({expected[i].Name}) has shape ({string.Join(", ", expected[i].Shape)}) but the saved " +
                                $"value has shape ({string.Join(", ", actual)}): the shapes must match.");
                    }
                    var values = new List<Tensor>();
                    plan.Add((optimizer, values));
                    for (int i = 0; i < expected.Length; i++)
                    {
                        var value = ReadTensor(datasets[i]);
                        if (expected[i].Shape.Length == 0 && value.dim() != 0)
                        {
                            var scalar = value.reshape(Array.Empty<long>());
                            value.Dispose();
                            value = scalar;
                        }
                        values.Add(value);
                    }
                }
            }
            foreach (var (attribute, child) in optimizer.SavedChildren())
                PlanOptimizer(file, path + "/" + attribute, child, plan);
        }

        /// <summary>A string attribute of the file's root group, or null when absent or unreadable.</summary>
        private static string? ReadRootAttribute(H5Reader file, string name)
        {
            try
            {
                return file.Root.StringAttribute(name);
            }
            catch (KerasFileFormatException)
            {
                return null;
            }
        }

        private static readonly string[] IndexNames = Enumerable.Range(0, 64).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        /// <summary>The datasets "0".."n-1" of the group at <paramref name="path"/> (empty when the group does not exist).</summary>
        private static List<HdfDataset> FindVars(H5Reader file, string path)
        {
            var result = new List<HdfDataset>();
            var node = file.Resolve(file.Root, path);
            if (node == null && path.Contains("layers")) node = file.Resolve(file.Root, path.Replace("layers", "_layer_checkpoint_dependencies"));
            if (node is not HdfGroup group) return result;
            for (int i = 0; ; i++)
            {
                string name = i < IndexNames.Length ? IndexNames[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var link = group.Link(name);
                if (link == null) break;
                var item = link.Kind == H5LinkKind.Hard ? file.ObjectAt(link.Address, group.Path.TrimEnd('/') + "/" + name) : file.Resolve(group, name);
                if (item is not HdfDataset dataset)
                    throw new KerasFileFormatException($"Unable to read the weights file {file.Source}: '{path}/{name}' is not a dataset.");
                result.Add(dataset);
            }
            return result;
        }

        /// <summary>
        /// A dataset's values as a CPU tensor: float64/float32 as they are, float16 and bfloat16 widened exactly to float32,
        /// signed and unsigned integers as int64 (an unsigned value beyond int64 is refused).
        /// </summary>
        private static Tensor ReadTensor(HdfDataset dataset)
        {
            var type = dataset.Type();
            long[] shape = dataset.Shape;
            long count = dataset.ElementCount;
            var (dtype, convert) = Converter(type, dataset);
            bool sameLayout = type.Kind == H5ElementKind.Float && (type.Size == 4 && dtype == ScalarType.Float32 || type.Size == 8 && dtype == ScalarType.Float64);
            var result = torch.empty(shape, dtype); // host: read from the file, assigned (and moved) by the caller
            Tensor? flat = null;
            try
            {
                dataset.ReadRaw(type, (byteOffset, buffer, n) =>
                {
                    if (n % type.Size != 0 || byteOffset % type.Size != 0) throw dataset.File.Corrupt($"dataset '{dataset.Path}' is misaligned");
                    long start = byteOffset / type.Size, elements = n / type.Size;
                    if (start + elements > count) throw dataset.File.Corrupt($"dataset '{dataset.Path}' holds more data than its shape");
                    if (sameLayout && start == 0 && elements == count)
                    {
                        result.bytes = buffer.AsSpan(0, n); // the whole dataset in one piece (contiguous storage): straight in
                        return;
                    }
                    flat ??= result.view(-1);
                    using var target = flat.narrow(0, start, elements);
                    if (sameLayout)
                    {
                        target.bytes = buffer.AsSpan(0, n); // little-endian floats into the tensor as they are: one copy
                        return;
                    }
                    using var piece = convert(buffer, (int)elements);
                    target.copy_(piece);
                });
                return result;
            }
            catch
            {
                result.Dispose();
                throw;
            }
            finally
            {
                flat?.Dispose();
            }
        }

        private static (ScalarType, Func<byte[], int, Tensor>) Converter(H5NumericType type, HdfDataset dataset)
        {
            switch (type.Kind, type.Size)
            {
                case (H5ElementKind.Float, 8):
                    return (ScalarType.Float64, (b, n) => torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(b.AsSpan(0, n * 8)).ToArray()));
                case (H5ElementKind.Float, 4):
                    return (ScalarType.Float32, (b, n) => torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(b.AsSpan(0, n * 4)).ToArray()));
                case (H5ElementKind.Float, 2):
                    return (ScalarType.Float32, (b, n) =>
                    {
                        var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(b.AsSpan(0, n * 2));
                        var floats = new float[n];
                        for (int i = 0; i < n; i++) floats[i] = (float)halves[i];
                        return torch.tensor(floats);
                    });
                case (H5ElementKind.BFloat16, 2):
                    return (ScalarType.Float32, (b, n) =>
                    {
                        var raw = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(b.AsSpan(0, n * 2));
                        var floats = new float[n];
                        for (int i = 0; i < n; i++) floats[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                        return torch.tensor(floats);
                    });
                case (H5ElementKind.SignedInt, _) or (H5ElementKind.UnsignedInt, _):
                    bool signed = type.Kind == H5ElementKind.SignedInt;
                    int size = type.Size;
                    return (ScalarType.Int64, (b, n) =>
                    {
                        var values = new long[n];
                        for (int i = 0; i < n; i++)
                        {
                            int at = i * size;
                            values[i] = (size, signed) switch
                            {
                                (1, true) => (sbyte)b[at],
                                (1, false) => b[at],
                                (2, true) => BitConverter.ToInt16(b, at),
                                (2, false) => BitConverter.ToUInt16(b, at),
                                (4, true) => BitConverter.ToInt32(b, at),
                                (4, false) => BitConverter.ToUInt32(b, at),
                                (8, true) => BitConverter.ToInt64(b, at),
                                _ => BitConverter.ToUInt64(b, at) is var u && u <= long.MaxValue ? (long)u
                                    : throw new KerasFileFormatException(
                                        $"Dataset '{dataset.Path}' of {dataset.File.Source} holds the uint64 value {BitConverter.ToUInt64(b, at)}, which no variable " +
                                        "of this runtime can hold (int64 at most)."),
                            };
                        }
                        return torch.tensor(values);
                    });
                default:
                    throw new KerasFileFormatException($"Unsupported dataset type in weights file {dataset.File.Source}: {dataset.Path} is {type}.");
            }
        }
    }
}

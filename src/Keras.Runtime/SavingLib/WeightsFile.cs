using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.State;
using PureHDF;
using PureHDF.VOL.Native;
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
        /// weight file in <paramref name="stream"/>. Layer failures (count or shape mismatches) are collected and reported
        /// together as Keras does; with <paramref name="skipMismatch"/> they are warnings and those layers keep their values.
        /// </summary>
        /// <returns>The string root attribute <paramref name="rootAttribute"/> of the file, when asked and present.</returns>
        internal static string? Read(Model model, Stream stream, string source, bool skipMismatch, string? rootAttribute = null)
        {
            NativeFile file;
            try
            {
                file = H5File.Open(stream, leaveOpen: true);
            }
            catch (Exception e) when (e is not IKerasException)
            {
                throw new KerasFileFormatException(
                    $"Unable to read the weights file {source}: it is not a valid HDF5 file ({e.Message}). The file may be truncated or corrupt; " +
                    "save the weights again or restore a backup.", e);
            }
            using (file)
            {
                var failures = new List<(Layer Layer, string Error)>();
                try
                {
                    foreach (var (path, layer) in Walk(model))
                    {
                        string? error = LoadLayer(file, path, layer);
                        if (error != null) failures.Add((layer, error));
                    }
                    if (model.Optimizer is { } optimizer) LoadOptimizer(file, "optimizer", optimizer);
                }
                catch (Exception e) when (e is not IKerasException)
                {
                    throw new KerasFileFormatException($"Unable to read the weights file {source}: {e.Message}", e);
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
                return rootAttribute == null ? null : ReadRootAttribute(file, rootAttribute);
            }
        }

        private static string? LoadLayer(NativeFile file, string path, Layer layer)
        {
            var groups = layer.SavedVariableGroups();
            var loaded = new List<(KerasVariable Variable, Tensor Value)>();
            try
            {
                foreach (var group in groups)
                {
                    var values = ReadVars(file, Join(path, group.Path));
                    loaded.AddRange(values.Select((v, i) => (i < group.Variables.Count ? group.Variables[i] : null!, v)));
                    if (values.Count != group.Variables.Count)
                    {
                        string expected = string.Join(", ", group.Variables.Select(v => "<Variable path=" + v.Path + ", shape=(" + string.Join(", ", v.Shape) + ")>"));
                        return group.Variables.Count == 0 && values.Count > 0 && !layer.Built
                            ? $"Layer '{layer.Name}' was never built and thus it doesn't have any variables. However the weights file lists {values.Count} " +
                              "variables for this layer. Build the model before loading (call it on a batch, or Build(inputShape)) so that every layer " +
                              "creates its weights; a layer that owns other layers must build them in its BuildCore."
                            : $"Layer '{group.Name}' expected {group.Variables.Count} variables, but received {values.Count} variables during loading. Expected: [{expected}]";
                    }
                }
                foreach (var (variable, value) in loaded)
                    if (!value.shape.SequenceEqual(variable.Shape))
                        return $"The shape of the target variable and the shape of the target value in `variable.assign(value)` must match. " +
                               $"variable.shape=({string.Join(", ", variable.Shape)}), Received: value.shape=({string.Join(", ", value.shape)}). Target variable: {variable.Path}";
                foreach (var (variable, value) in loaded)
                {
                    using var converted = value.to_type(variable.Value.dtype);
                    variable.Assign(converted);
                }
                return null;
            }
            finally
            {
                foreach (var (_, value) in loaded) value.Dispose();
            }
        }

        private static void LoadOptimizer(NativeFile file, string path, Optimizers.Optimizer optimizer)
        {
            LoadOptimizerVars(file, path, optimizer);
            // As Keras' _load_state: then the optimizers it holds as attributes, from their own groups.
            foreach (var (attribute, child) in optimizer.SavedChildren())
                if (file.LinkExists(path + "/" + attribute + "/vars")) LoadOptimizer(file, path + "/" + attribute, child);
        }

        private static void LoadOptimizerVars(NativeFile file, string path, Optimizers.Optimizer optimizer)
        {
            var values = ReadVars(file, path + "/vars");
            try
            {
                int count = optimizer.StateCount;
                if (values.Count == 0) return; // nothing saved (the optimizer had not stepped yet): nothing to restore
                if (count != values.Count)
                {
                    Utilities.IoUtils.Warn(
                        $"Skipping variable loading for optimizer '{optimizer.Name}', because it has {count} variables whereas the saved optimizer has " +
                        $"{values.Count} variables. " + (count == 0 ? "This is likely because the optimizer has not been called/built yet." : ""));
                    return;
                }
                optimizer.LoadState(values);
            }
            finally
            {
                foreach (var value in values) value.Dispose();
            }
        }

        /// <summary>A string attribute of the file's root group, or null when absent or unreadable.</summary>
        private static string? ReadRootAttribute(NativeFile file, string name)
        {
            try
            {
                return file.AttributeExists(name) ? file.Attribute(name).Read<string>() : null;
            }
            catch (Exception e) when (e is not IKerasException)
            {
                return null;
            }
        }

        /// <summary>The datasets "0".."n-1" of the group at <paramref name="path"/> (empty when it does not exist).</summary>
        private static List<Tensor> ReadVars(NativeFile file, string path)
        {
            var result = new List<Tensor>();
            string? found = file.LinkExists(path) ? path
                : path.Contains("layers") && file.LinkExists(path.Replace("layers", "_layer_checkpoint_dependencies")) ? path.Replace("layers", "_layer_checkpoint_dependencies")
                : null;
            if (found == null) return result;
            var group = file.Group(found);
            for (int i = 0; group.LinkExists(i.ToString(System.Globalization.CultureInfo.InvariantCulture)); i++)
                result.Add(ReadTensor(group.Dataset(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            return result;
        }

        private static Tensor ReadTensor(IH5Dataset dataset)
        {
            long[] shape = dataset.Space.Dimensions.Select(d => (long)d).ToArray();
            var type = dataset.Type;
            bool bfloat16 = dataset.AttributeExists("dtype") && dataset.Attribute("dtype").Read<string>() == "bfloat16";
            switch (type.Class)
            {
                case H5DataTypeClass.FloatingPoint when type.Size == 8:
                    return torch.tensor(dataset.Read<double[]>(), shape);
                case H5DataTypeClass.FloatingPoint when type.Size == 4:
                    return torch.tensor(dataset.Read<float[]>(), shape);
                case H5DataTypeClass.FloatingPoint when type.Size == 2:
                    return torch.tensor(dataset.Read<Half[]>().Select(h => (float)h).ToArray(), shape);
                case H5DataTypeClass.FixedPoint or H5DataTypeClass.Opaque or H5DataTypeClass.BitField when bfloat16 && type.Size == 2:
                    return torch.tensor(dataset.Read<ushort[]>().Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray(), shape);
                case H5DataTypeClass.FixedPoint when type.Size == 8:
                    return torch.tensor(dataset.Read<long[]>(), shape);
                case H5DataTypeClass.FixedPoint when type.Size == 4:
                    return torch.tensor(dataset.Read<int[]>(), shape);
                default:
                    throw new KerasFileFormatException(
                        $"Unsupported dataset type in weights file: {dataset.Name} is {type.Class} of {type.Size} bytes; Keras weights are floats or integers.");
            }
        }
    }
}

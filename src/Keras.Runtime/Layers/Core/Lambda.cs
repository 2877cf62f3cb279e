using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// Keras' <c>keras.layers.Lambda</c> is refused on load: its saved config holds the wrapped Python function as
    /// marshalled Python bytecode (base64), which only a Python interpreter of the same version can run. This file owns
    /// the refusal and its message; there is no Lambda layer class in this runtime.
    /// </summary>
    [KerasRefusedClass(typeof(Layer), "Lambda",
        "a Lambda layer's config holds its function as Python bytecode, which cannot run in .NET (Keras itself runs it only with " +
        "safe_mode=False). Instead: (1) write the computation as a custom layer in C# (a Layer subclass overriding CallCore) and register it before loading with " +
        "Keras.Saving.RegisterKerasSerializable<T>(config => new T(...), name: \"Lambda\"): this file's Lambda layers then load as that class " +
        "(its factory receives the config and can ignore the bytecode), weights included; or (2) in Python, replace the " +
        "Lambda by built-in layers or keras.ops calls on symbolic tensors (saved as op nodes, which this runtime loads) or a registered " +
        "custom layer, and save again; or (3) build the model in C# and load only the weights with LoadWeights.")]
    internal static class Lambda
    {
    }
}

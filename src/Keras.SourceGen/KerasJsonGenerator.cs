using Microsoft.CodeAnalysis;

namespace Keras.SourceGen
{
    /// <summary>
    /// Bakes the project's keras.json into compile-time constants. This first version only registers the pipeline;
    /// the constants, the module initializer and the keras.json diagnostics are tracked by their own issue.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class KerasJsonGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
        }
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS010: floatx, the dtype policy or the image data format changed between the creation of a Keras object and
    /// a later use of it in the same method. Layers capture these when they are created (keras-reference.md §3), so the
    /// change does not apply to that object. (Epsilon is read when ops run, so SetEpsilon is not reported.)
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ConfigAfterObjectsAnalyzer : KerasObjectFlowAnalyzerBase
    {
        private protected override DiagnosticDescriptor Rule => Descriptors.ConfigAfterObjects;

        private protected override bool IsBarrier(KerasContext keras, IInvocationOperation invocation) =>
            keras.IsConfigCall(invocation, KerasApi.SetFloatx) ||
            keras.IsConfigCall(invocation, KerasApi.SetDtypePolicy) ||
            keras.IsConfigCall(invocation, KerasApi.SetImageDataFormat);

        private protected override string Message(IInvocationOperation barrier, string locals) =>
            $"{barrier.TargetMethod.Name} has no effect on {locals}, created before it in this method: layers capture " +
            "floatx, the dtype policy and the image data format when they are created. Move the call before the first Keras object.";
    }
}

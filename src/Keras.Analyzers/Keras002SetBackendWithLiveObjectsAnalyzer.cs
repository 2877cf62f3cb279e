using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS002: <c>Keras.Config.SetBackend</c> between the creation of a Keras object and a later use of it. SetBackend
    /// reloads Keras: objects created before it are not converted (in this runtime they are released and raise
    /// KerasObjectReleasedException when used).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SetBackendWithLiveObjectsAnalyzer : KerasObjectFlowAnalyzerBase
    {
        private protected override DiagnosticDescriptor Rule => Descriptors.SetBackendWithLiveObjects;

        private protected override bool IsBarrier(KerasContext keras, IInvocationOperation invocation) =>
            keras.IsConfigCall(invocation, KerasApi.SetBackend);

        private protected override string Message(IInvocationOperation barrier, string locals) =>
            $"SetBackend reloads Keras, but {locals} created before this call {(locals.Contains(",") ? "are" : "is")} used after it: objects created before " +
            "SetBackend are not converted and are released, so using it fails. Call SetBackend before creating Keras objects.";
    }
}

using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS009: <c>Keras.Config.EnableUnsafeDeserialization()</c>: it lets a loaded file run code. No code fix: it
    /// needs a security review. (The <c>safeMode: false</c> half arrives with the runtime's loading API.)
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class UnsafeDeserializationAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.UnsafeDeserialization);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras == null) return;
                start.RegisterOperationAction(op =>
                {
                    var invocation = (IInvocationOperation)op.Operation;
                    if (!keras.IsConfigCall(invocation, KerasApi.EnableUnsafeDeserialization)) return;
                    op.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsafeDeserialization, invocation.Syntax.GetLocation(),
                        "EnableUnsafeDeserialization() turns Keras' safe mode off for the whole session: any file loaded afterwards " +
                        "may run code (lambdas). Load only trusted files, and prefer enabling it around the one load that needs it."));
                }, OperationKind.Invocation);
            });
        }
    }
}

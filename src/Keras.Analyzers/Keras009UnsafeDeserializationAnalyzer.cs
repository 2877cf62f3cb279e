using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS009: <c>Keras.Config.EnableUnsafeDeserialization()</c>, or <c>safeMode: false</c> passed to a Keras.Runtime
    /// API (Keras' safe_mode=False). Either lets a loaded file run code. No code fix: it needs a security review.
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
                    if (keras.IsConfigCall(invocation, KerasApi.EnableUnsafeDeserialization))
                    {
                        op.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsafeDeserialization, invocation.Syntax.GetLocation(),
                            "EnableUnsafeDeserialization() turns Keras' safe mode off for the whole session: any file loaded afterwards " +
                            "may run code (lambdas). Load only trusted files, and prefer enabling it around the one load that needs it."));
                        return;
                    }
                    if (!SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingAssembly, keras.RuntimeAssembly)) return;
                    foreach (var argument in invocation.Arguments)
                    {
                        if (argument.Parameter?.Name != KerasApi.SafeModeParameter || argument.IsImplicit) continue;
                        if (KerasContext.Unwrap(argument.Value).ConstantValue is { HasValue: true, Value: false })
                            op.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsafeDeserialization, argument.Syntax.GetLocation(),
                                $"safeMode: false lets the file loaded by {invocation.TargetMethod.Name} run code (lambdas): only for files from a trusted source."));
                    }
                }, OperationKind.Invocation);
            });
        }
    }
}

using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS009: <c>Keras.Config.EnableUnsafeDeserialization()</c>, or <c>safeMode: false</c> passed to a Keras loading
    /// API (<c>Keras.Saving.LoadModel</c>): safe mode off lets a loaded file carry code. No code fix: it needs a security
    /// review.
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
                    // Cheapest test first: a written safeMode argument (the arguments are already built; the method's
                    // parameter list would be a new array per call), then only Keras.Runtime's methods.
                    foreach (var argument in invocation.Arguments)
                        if (argument.ArgumentKind == ArgumentKind.Explicit && argument.Parameter?.Name == KerasApi.SafeModeParameter &&
                            keras.IsKerasApi(invocation.TargetMethod) &&
                            KerasContext.Unwrap(argument.Value).ConstantValue is { HasValue: true, Value: false })
                                op.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsafeDeserialization, argument.Syntax.GetLocation(),
                                    $"safeMode: false turns Keras' safe mode off for this {invocation.TargetMethod.Name}: a file from an untrusted source " +
                                    "may then carry code (Python lambdas). Load only trusted files, or keep safe mode on."));
                    if (!keras.IsConfigCall(invocation, KerasApi.EnableUnsafeDeserialization)) return;
                    op.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsafeDeserialization, invocation.Syntax.GetLocation(),
                        "EnableUnsafeDeserialization() turns Keras' safe mode off for the whole session: any file loaded afterwards " +
                        "may run code (lambdas). Load only trusted files, and prefer enabling it around the one load that needs it."));
                }, OperationKind.Invocation);
            });
        }
    }
}

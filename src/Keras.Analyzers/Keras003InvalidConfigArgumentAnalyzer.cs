using System;
using System.Collections.Immutable;
using System.Globalization;
using Keras.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS003: a constant argument the runtime would reject: SetFloatx, SetImageDataFormat (case-insensitive, as
    /// Keras), SetBackend, SetEpsilon (not positive and finite), SetDtypePolicy, negative SetMaxEpochs /
    /// SetMaxStepsPerEpoch. The rules are the shared ones the runtime validates with (src/Shared/KerasFacts.cs). The
    /// diagnostic carries the replacement (C# source text) for the code fix in <see cref="ReplacementProperty"/>.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class InvalidConfigArgumentAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the C# expression to put in place of the argument.</summary>
        public const string ReplacementProperty = "Replacement";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.InvalidConfigArgument);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras == null) return;
                start.RegisterOperationAction(op => Analyze(op, keras), OperationKind.Invocation);
            });
        }

        private static void Analyze(OperationAnalysisContext op, KerasContext keras)
        {
            var invocation = (IInvocationOperation)op.Operation;
            string name = invocation.TargetMethod.Name;
            if (!keras.IsConfigCall(invocation, name)) return;
            var argument = KerasContext.FirstArgument(invocation);
            if (argument == null || argument.IsImplicit) return;
            var constant = KerasContext.Unwrap(argument.Value).ConstantValue;
            if (!constant.HasValue) return;

            string? message = null, replacement = null;
            switch (name)
            {
                case KerasApi.SetFloatx when constant.Value is string value && !KerasFacts.IsFloatx(value):
                {
                    string best = KerasFacts.DidYouMean(value, KerasFacts.FloatxValues) ?? KerasFacts.DefaultFloatx;
                    message = $"Unknown `floatx` value: {value}. Expected one of {KerasFacts.PythonSet(KerasFacts.FloatxValues)}.";
                    replacement = Literal(best);
                    break;
                }
                case KerasApi.SetImageDataFormat when constant.Value is string value && KerasFacts.NormalizeImageDataFormat(value) == null:
                {
                    string best = KerasFacts.DidYouMean(value, KerasFacts.ImageDataFormats) ?? KerasFacts.DefaultImageDataFormat;
                    message = "The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: data_format=" +
                              value.ToLowerInvariant() + ".";
                    replacement = Literal(best);
                    break;
                }
                case KerasApi.SetBackend when constant.Value is string value && KerasFacts.SetBackendProblem(value) is { } problem:
                    message = problem;
                    replacement = Literal(KerasFacts.DefaultBackend);
                    break;
                case KerasApi.SetEpsilon when constant.Value is double or float or int or long or decimal:
                {
                    double value = Convert.ToDouble(constant.Value, CultureInfo.InvariantCulture);
                    if (KerasFacts.IsValidEpsilon(value)) return;
                    message = $"`epsilon` must be a positive, finite number. Received: epsilon={KerasFacts.PythonFloat(value)}.";
                    replacement = "1e-7";
                    break;
                }
                case KerasApi.SetDtypePolicy when constant.Value is string value && KerasFacts.IsQuantizedPolicyName(value):
                    message = $"Quantized dtype policies such as '{value}' are not supported by KerasTooling yet. " +
                              "Use 'mixed_float16', 'mixed_bfloat16' or a float dtype such as 'float32'.";
                    replacement = Literal("mixed_bfloat16");
                    break;
                case KerasApi.SetDtypePolicy when constant.Value is string value && !KerasFacts.IsValidPolicyName(value):
                {
                    string best = KerasFacts.DidYouMean(value, KerasFacts.MixedPolicies) ??
                                  KerasFacts.DidYouMean(value, KerasFacts.FloatxValues) ?? KerasFacts.DefaultFloatx;
                    message = $"Cannot convert '{value}' to a mixed precision DTypePolicy. Valid policies include 'mixed_float16', " +
                              "'mixed_bfloat16', and the name of any float dtype such as 'float32'.";
                    replacement = Literal(best);
                    break;
                }
                case KerasApi.SetDtypePolicy when constant.Value == null && argument.Value.Type?.SpecialType == SpecialType.System_String:
                    message = "Invalid `policy` argument. Expected the string name of a policy (such as 'mixed_float16'). Received: policy=None.";
                    replacement = Literal(KerasFacts.DefaultFloatx);
                    break;
                case KerasApi.SetMaxEpochs or KerasApi.SetMaxStepsPerEpoch when constant.Value is int value && value < 0:
                    message = $"A negative cap ({value}) has no meaning: use null or 0 for no cap, or a positive number.";
                    replacement = "null";
                    break;
            }
            if (message == null) return;
            var properties = ImmutableDictionary<string, string?>.Empty.Add(ReplacementProperty, replacement);
            op.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidConfigArgument, argument.Syntax.GetLocation(), properties, message));
        }

        private static string Literal(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}

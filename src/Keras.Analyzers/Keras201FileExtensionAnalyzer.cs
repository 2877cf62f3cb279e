using System;
using System.Collections.Immutable;
using System.Linq;
using Keras.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS201: a file path whose extension Keras rejects at run time, known at compile time: <c>model.Save</c> and
    /// <c>Keras.Saving.SaveModel</c> need <c>.keras</c>; <c>SaveWeights</c> needs <c>.weights.h5</c>; <c>LoadWeights</c>
    /// takes <c>.keras</c> or <c>.weights.h5</c>; <c>Keras.Saving.LoadModel</c> takes <c>.keras</c>; a ModelCheckpoint
    /// needs <c>.weights.h5</c> with saveWeightsOnly and <c>.keras</c> without. The path's ending is read from a constant,
    /// the last argument of Path.Combine/Path.Join, the right side of a concatenation, or the literal tail of an
    /// interpolated string; it is reported only when that ending decides the outcome.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FileExtensionAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the corrected literal value, when the ending is a string literal the fix can rewrite.</summary>
        public const string FixedPathProperty = "FixedPath";

        private const string Keras = KerasFacts.ModelFileExtension, Weights = KerasFacts.WeightsFileExtension;

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.FileExtension);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras == null) return;
                start.RegisterOperationAction(op => AnalyzeInvocation(op, keras), OperationKind.Invocation);
                if (keras.ModelCheckpoint != null) start.RegisterOperationAction(op => AnalyzeCheckpoint(op, keras), OperationKind.ObjectCreation);
            });
        }

        private static void AnalyzeInvocation(OperationAnalysisContext op, KerasContext keras)
        {
            var invocation = (IInvocationOperation)op.Operation;
            var method = invocation.TargetMethod;
            string[] allowed;
            string target, call;
            switch (method.Name)
            {
                case "Save" when keras.IsModel(method.ContainingType) && keras.IsKerasApi(method):
                case "SaveModel" when SymbolEqualityComparer.Default.Equals(method.ContainingType, keras.Saving):
                    (allowed, target, call) = (new[] { Keras }, Keras, method.Name);
                    break;
                case "SaveWeights" when keras.IsModel(method.ContainingType) && keras.IsKerasApi(method):
                    (allowed, target, call) = (new[] { Weights }, Weights, "SaveWeights");
                    break;
                case "LoadWeights" when keras.IsModel(method.ContainingType) && keras.IsKerasApi(method):
                    (allowed, target, call) = (new[] { Keras, Weights }, Weights, "LoadWeights");
                    break;
                case "LoadModel" when SymbolEqualityComparer.Default.Equals(method.ContainingType, keras.Saving):
                    (allowed, target, call) = (new[] { Keras }, Keras, "LoadModel");
                    break;
                default:
                    return;
            }
            var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "filepath");
            if (argument != null) Check(op, argument, allowed, target, call);
        }

        private static void AnalyzeCheckpoint(OperationAnalysisContext op, KerasContext keras)
        {
            var creation = (IObjectCreationOperation)op.Operation;
            if (!SymbolEqualityComparer.Default.Equals(creation.Constructor?.ContainingType, keras.ModelCheckpoint)) return;
            var weightsOnly = creation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "saveWeightsOnly");
            bool? saveWeightsOnly = weightsOnly == null ? false : KerasContext.Unwrap(weightsOnly.Value).ConstantValue is { HasValue: true, Value: bool b } ? b : (bool?)null;
            if (saveWeightsOnly == null) return; // decided at run time
            var argument = creation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "filepath");
            if (argument == null) return;
            string suffix = saveWeightsOnly.Value ? Weights : Keras;
            Check(op, argument, new[] { suffix }, suffix, saveWeightsOnly.Value ? "ModelCheckpoint with saveWeightsOnly: true" : "ModelCheckpoint");
        }

        private static void Check(OperationAnalysisContext op, IArgumentOperation argument, string[] allowed, string target, string call)
        {
            if (Ending(argument.Value) is not { } ending) return;
            var (tail, complete, literal) = ending;
            if (allowed.Any(suffix => tail.EndsWith(suffix, StringComparison.Ordinal))) return;
            // A short tail that could still be the end of an allowed suffix ("ras" of ".keras") decides nothing.
            if (!complete && allowed.Any(suffix => tail.Length < suffix.Length && suffix.EndsWith(tail, StringComparison.Ordinal))) return;

            string expected = string.Join(" or ", allowed.Select(a => "'" + a + "'"));
            string why = call switch
            {
                "Save" or "SaveModel" when KerasFacts.IsLegacyH5Path(tail) =>
                    "Keras.Runtime saves whole models only in Keras 3's native format; legacy HDF5 (.h5) model files are not written",
                "Save" or "SaveModel" => "Keras rejects it: 'Invalid filepath extension for saving'",
                "SaveWeights" => "Keras rejects it: 'The filename must end in `.weights.h5`'",
                "LoadWeights" or "LoadModel" => "Keras rejects it: 'File format not supported'",
                _ => "Keras rejects it when the callback is created",
            };
            var properties = ImmutableDictionary<string, string?>.Empty;
            Location location = argument.Value.Syntax.GetLocation();
            if (literal != null)
            {
                properties = properties.Add(FixedPathProperty, FixPath(literal.Token.ValueText, target));
                location = literal.GetLocation();
            }
            op.ReportDiagnostic(Diagnostic.Create(Descriptors.FileExtension, location, properties,
                $"{call} needs a path ending in {expected}, but this one ends in '{Shorten(tail)}': {why}"));
        }

        private static string Shorten(string tail)
        {
            int slash = Math.Max(tail.LastIndexOf('/'), tail.LastIndexOf('\\'));
            return slash >= 0 ? tail.Substring(slash + 1) : tail;
        }

        /// <summary>
        /// The known ending of a path expression: the text, whether it is the whole path, and the string literal holding
        /// it (for the fix), or null when nothing is known.
        /// </summary>
        private static (string Tail, bool Complete, LiteralExpressionSyntax? Literal)? Ending(IOperation value)
        {
            value = KerasContext.Unwrap(value);
            if (value.ConstantValue is { HasValue: true, Value: string constant })
                return (constant, true, value.Syntax as LiteralExpressionSyntax);
            switch (value)
            {
                case IInvocationOperation { TargetMethod: { Name: "Combine" or "Join", ContainingType: { Name: "Path" } type } } combine
                    when IsSystemIO(type.ContainingNamespace) && combine.Arguments.Length > 0:
                {
                    var last = combine.Arguments[combine.Arguments.Length - 1];
                    if (last.ArgumentKind == ArgumentKind.ParamArray && last.Value is IArrayCreationOperation { Initializer: { } init } && init.ElementValues.Length > 0)
                        return Partial(init.ElementValues[init.ElementValues.Length - 1]);
                    return Partial(last.Value);
                }
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } concatenation when concatenation.Type?.SpecialType == SpecialType.System_String:
                    return Partial(concatenation.RightOperand);
                case IInterpolatedStringOperation interpolated when interpolated.Parts.Length > 0 &&
                                                                   interpolated.Parts[interpolated.Parts.Length - 1] is IInterpolatedStringTextOperation text &&
                                                                   text.Text.ConstantValue is { HasValue: true, Value: string s }:
                    return (s, false, null);
                default:
                    return null;
            }
        }

        /// <summary>The namespace System.IO, compared by name (no display string built per call).</summary>
        private static bool IsSystemIO(INamespaceSymbol? ns) =>
            ns is { Name: "IO" } && ns.ContainingNamespace is { Name: "System" } system && system.ContainingNamespace is { IsGlobalNamespace: true };

        private static (string, bool, LiteralExpressionSyntax?)? Partial(IOperation operand)
        {
            var inner = Ending(operand);
            return inner is { } e ? (e.Tail, false, e.Literal) : null;
        }

        /// <summary>Replaces the file name's extension with <paramref name="suffix"/> ("model.h5" → "model.weights.h5").</summary>
        internal static string FixPath(string path, string suffix)
        {
            foreach (var known in new[] { ".weights.h5", ".weights.json", ".keras", ".hdf5", ".h5", ".weights" })
                if (path.EndsWith(known, StringComparison.OrdinalIgnoreCase)) return path.Substring(0, path.Length - known.Length) + suffix;
            int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
            int dot = path.LastIndexOf('.');
            if (dot > slash + 1 && dot > 0) path = path.Substring(0, dot);
            return path + suffix;
        }
    }
}

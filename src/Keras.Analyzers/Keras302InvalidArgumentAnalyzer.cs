using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using Keras.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS302: a constant numeric argument that the runtime's argument checks reject (Dropout's rate outside [0, 1],
    /// units/filters/kernel sizes/strides not positive, validationSplit outside [0, 1), batch size or steps not
    /// positive, SGD momentum outside [0, 1], ...). The rules are the shared ones the runtime throws with
    /// (src/Shared/KerasArgumentRules.cs). Tuple and array literals are checked element by element. Where one value is
    /// clearly meant (a whole percentage given for a fraction) it travels in <see cref="ReplacementProperty"/>.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class InvalidArgumentAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the C# literal clearly meant (absent when no value is).</summary>
        public const string ReplacementProperty = "Replacement";

        private static readonly HashSet<string> ParameterNames = NamesOf();

        private static HashSet<string> NamesOf()
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var rule in KerasArgumentRules.All)
                foreach (var site in rule.Sites)
                    names.Add(site.Substring(site.LastIndexOf('|') + 1));
            return names;
        }

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.InvalidArgument);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras == null) return;
                start.RegisterOperationAction(op => Analyze(op, keras), OperationKind.Invocation, OperationKind.ObjectCreation);
            });
        }

        private static void Analyze(OperationAnalysisContext op, KerasContext keras)
        {
            if (!KerasCallSites.TryGetCall(op.Operation, out var method, out var arguments) || arguments.IsEmpty || !keras.IsKerasApi(method)) return;
            foreach (var argument in arguments)
            {
                var parameter = argument.Parameter;
                if (parameter == null || argument.IsImplicit || !ParameterNames.Contains(parameter.Name)) continue;
                // The rule depends only on the parameter (its method's type chain, member and name): looked up once per compilation.
                if (!keras.ArgumentRules.TryGetValue(parameter, out var rule))
                {
                    rule = Find(KerasCallSites.TypeChain(keras, method.ContainingType), KerasCallSites.MemberName(method), parameter.Name);
                    keras.ArgumentRules.TryAdd(parameter, rule);
                }
                if (rule == null) continue;
                foreach (var value in Values(argument.Value))
                    Check(op, rule, parameter.Name, value);
            }
        }

        private static KerasArgumentRules.Rule? Find(IReadOnlyList<string> chain, string member, string parameter)
        {
            foreach (var type in chain)
                if (KerasArgumentRules.Find(type, member, parameter) is { } rule) return rule;
            return null;
        }

        /// <summary>The argument, or the elements of a tuple literal or array initializer.</summary>
        private static IEnumerable<IOperation> Values(IOperation value)
        {
            var unwrapped = Unwrap(value);
            switch (unwrapped)
            {
                case ITupleOperation tuple:
                    foreach (var element in tuple.Elements) yield return Unwrap(element);
                    break;
                case IArrayCreationOperation { Initializer: { } initializer }:
                    foreach (var element in initializer.ElementValues) yield return Unwrap(element);
                    break;
                default:
                    yield return unwrapped;
                    break;
            }
        }

        private static IOperation Unwrap(IOperation operation) => KerasContext.Unwrap(operation);

        private static void Check(OperationAnalysisContext op, KerasArgumentRules.Rule rule, string parameterName, IOperation value)
        {
            if (!value.ConstantValue.HasValue) return;
            double number;
            switch (value.ConstantValue.Value)
            {
                case int i: number = i; break;
                case long l: number = l; break;
                case short s: number = s; break;
                case double d: number = d; break;
                case float f: number = f; break;
                case decimal m: number = (double)m; break;
                default: return; // null (the default) or not a number
            }
            if (rule.IsValid(number)) return;
            string? problem = rule.Problem(number, KerasCallSites.Snake(parameterName));
            if (problem == null) return;
            var properties = ImmutableDictionary<string, string?>.Empty;
            if (rule.ClearlyMeant(number) is double meant)
                properties = properties.Add(ReplacementProperty, meant.ToString("R", CultureInfo.InvariantCulture));
            op.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidArgument, value.Syntax.GetLocation(), properties, problem));
        }
    }
}

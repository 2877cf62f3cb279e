using System.Collections.Generic;
using System.Collections.Immutable;
using Keras.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS301: a constant string given to a Keras.Runtime parameter that Keras resolves by name (activation, optimizer,
    /// loss, metrics, X.Get(identifier) of initializers/regularizers/constraints, padding, data format, interpolation,
    /// callback mode) is not a name Keras resolves. The names and the parameter → kind map are the shared tables the
    /// runtime resolves with (src/Shared/KerasIdentifiers.cs). Only constants are judged; null stays silent (it means the
    /// default). The "did you mean" candidate travels in <see cref="ReplacementProperty"/> for the code fix.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class UnknownIdentifierAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the identifier to put in place of the unknown one (absent when none is near).</summary>
        public const string ReplacementProperty = "Replacement";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UnknownIdentifier);

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
                // Cheap filters first: a parameter name some table names, a written argument, a Keras.Runtime member.
                var parameter = argument.Parameter;
                if (parameter == null || argument.IsImplicit || !KerasIdentifiers.ParameterNames.Contains(parameter.Name)) continue;
                // The kind depends only on the parameter (its method's type chain, member and name): looked up once per compilation.
                if (!keras.IdentifierKinds.TryGetValue(parameter, out var kind))
                {
                    kind = KerasIdentifiers.ParameterKind(KerasCallSites.TypeChain(keras, method.ContainingType), KerasCallSites.MemberName(method), parameter.Name);
                    keras.IdentifierKinds.TryAdd(parameter, kind);
                }
                if (kind == null) continue;
                foreach (var value in Values(argument.Value, parameter.Type))
                    Check(op, kind, value);
            }
        }

        /// <summary>
        /// The argument itself, or for IEnumerable&lt;string&gt; parameters (Compile's metrics) the elements of a string
        /// array or collection expression written in place (spread elements are not judged).
        /// </summary>
        private static IEnumerable<IOperation> Values(IOperation value, ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_String)
            {
                yield return Unwrap(value);
                yield break;
            }
            if (KerasCollections.TryGetElements(value, out var elements))
            {
                foreach (var element in elements)
                    if (element != null) yield return element;
            }
        }

        private static IOperation Unwrap(IOperation operation) => KerasContext.Unwrap(operation);

        private static void Check(OperationAnalysisContext op, KerasIdentifiers.Kind kind, IOperation value)
        {
            if (value.Type?.SpecialType != SpecialType.System_String || !value.ConstantValue.HasValue || value.ConstantValue.Value is not string name) return;
            string? message;
            string? replacement = null;
            if (kind.Resolve(name) == null)
            {
                string? near = KerasFacts.DidYouMean(name, kind.Identifiers);
                replacement = near;
                message = kind.UnknownMessage(name) + (near == null ? " Known names: " + string.Join(", ", kind.Identifiers) + "." : "");
            }
            else if (kind == KerasIdentifiers.Activations && KerasIdentifiers.UnusableActivation(kind.Resolve(name)) is { } unusable)
                message = unusable;
            else
                return;
            var properties = replacement == null
                ? ImmutableDictionary<string, string?>.Empty
                : ImmutableDictionary<string, string?>.Empty.Add(ReplacementProperty, replacement);
            op.ReportDiagnostic(Diagnostic.Create(Descriptors.UnknownIdentifier, value.Syntax.GetLocation(), properties, message));
        }
    }
}

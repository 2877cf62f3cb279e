using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS101: a Keras model is constructed in a loop body that never calls ClearSession (the seed's Example 1).
    /// Precision first: only models (not layers: a loop adding layers to one model is normal), only when the loop is
    /// the innermost one around the construction, and only when the model stays inside its iteration (held by a
    /// local declared in the loop body, used only through its own members, never passed, stored, returned or
    /// captured), since ClearSession at the top of the next iteration releases it.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ModelInLoopAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.ModelInLoopWithoutClearSession);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras == null || keras.Model == null) return;
                // Triggered by model constructions (rare), not by loops (everywhere): only loops that build a model are examined.
                start.RegisterOperationAction(op => Analyze(op, keras), OperationKind.ObjectCreation);
            });
        }

        private static void Analyze(OperationAnalysisContext op, KerasContext keras)
        {
            var current = (IObjectCreationOperation)op.Operation;
            if (!keras.IsModel(current.Type)) return;
            if (InnermostLoop(current) is not { Body: { } loopBody }) return;
            var body = Within(loopBody).ToList();
            if (body.Any(o => o is IInvocationOperation i && keras.IsClearSession(i))) return;
            // One report per loop: at the first model construction of this loop that qualifies.
            foreach (var creation in body.OfType<IObjectCreationOperation>())
            {
                if (!keras.IsModel(creation.Type)) continue;
                if (!ReferenceEquals(InnermostLoop(creation)?.Body, loopBody)) continue;
                if (Escapes(creation, loopBody)) continue;
                if (!ReferenceEquals(creation, current)) return;
                op.ReportDiagnostic(Diagnostic.Create(Descriptors.ModelInLoopWithoutClearSession, creation.Syntax.GetLocation(),
                    $"A new {creation.Type!.Name} is built on every iteration without ClearSession: Keras' global state grows " +
                    "(layer names keep counting) and each previous model's native memory stays until the GC finalizes it. " +
                    "Call Keras.Utils.ClearSession() at the top of the loop body."));
                return;
            }
        }

        /// <summary>Operations of the loop body, not entering lambdas or local functions (they run elsewhere).</summary>
        private static System.Collections.Generic.IEnumerable<IOperation> Within(IOperation root)
        {
            var stack = new System.Collections.Generic.Stack<IOperation>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                var current = stack.Pop();
                yield return current;
                if (current is IAnonymousFunctionOperation || current is ILocalFunctionOperation) continue;
                foreach (var child in current.ChildOperations.Reverse()) stack.Push(child);
            }
        }

        private static ILoopOperation? InnermostLoop(IOperation operation)
        {
            for (var p = operation.Parent; p != null; p = p.Parent)
            {
                if (p is ILoopOperation loop) return loop;
                if (p is IAnonymousFunctionOperation || p is ILocalFunctionOperation) return null;
            }
            return null;
        }

        /// <summary>True when the model may outlive its iteration, so a ClearSession would break the program.</summary>
        private static bool Escapes(IObjectCreationOperation creation, IOperation loopBody)
        {
            IOperation current = creation;
            while (current.Parent is IConversionOperation conversion) current = conversion;
            switch (current.Parent)
            {
                case IExpressionStatementOperation:
                    return false; // built and discarded
                case IInvocationOperation call when ReferenceEquals(call.Instance, current):
                case IPropertyReferenceOperation property when ReferenceEquals(property.Instance, current):
                    return false; // new Sequential(...).Call(x)
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    return !IsLocalOfLoop(declarator.Symbol, loopBody) || LocalEscapes(declarator.Symbol, loopBody);
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when ReferenceEquals(assignment.Value, current):
                    return !IsLocalOfLoop(target.Local, loopBody) || LocalEscapes(target.Local, loopBody);
                default:
                    return true; // passed as an argument, stored in a field or a collection, returned, ...
            }
        }

        private static bool IsLocalOfLoop(ILocalSymbol local, IOperation loopBody) =>
            local.DeclaringSyntaxReferences.Any(r => loopBody.Syntax.Span.Contains(r.Span));

        private static bool LocalEscapes(ILocalSymbol local, IOperation loopBody)
        {
            foreach (var reference in loopBody.Descendants().OfType<ILocalReferenceOperation>())
            {
                if (!SymbolEqualityComparer.Default.Equals(reference.Local, local)) continue;
                if (InsideFunction(reference, loopBody)) return true; // captured by a lambda or local function
                var parent = reference.Parent;
                while (parent is IConversionOperation) parent = parent.Parent;
                switch (parent)
                {
                    case IInvocationOperation call when IsInstance(call.Instance, reference):
                    case IPropertyReferenceOperation property when IsInstance(property.Instance, reference):
                    case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Target, reference):
                    case IVariableDeclaratorOperation:
                        continue;
                    default:
                        return true;
                }
            }
            return false;
        }

        private static bool IsInstance(IOperation? instance, IOperation reference)
        {
            while (instance is IConversionOperation conversion) instance = conversion.Operand;
            return ReferenceEquals(instance, reference);
        }

        private static bool InsideFunction(IOperation operation, IOperation stop)
        {
            for (var p = operation.Parent; p != null && !ReferenceEquals(p, stop); p = p.Parent)
                if (p is IAnonymousFunctionOperation || p is ILocalFunctionOperation) return true;
            return false;
        }
    }
}

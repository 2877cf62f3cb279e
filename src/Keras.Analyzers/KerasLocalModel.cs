using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// Local flow for KERAS103/104/105: a model held in a local of the analyzed body, assigned once (its declaration)
    /// from <c>new</c> of a Keras.Runtime model type, and never handed to anything (no argument, no assignment to
    /// something else, no return, no capture by reference): everything done to it is visible in the body. Anything else
    /// is "passed in from elsewhere" and the rules stay silent. Built only after a cheap trigger (a Fit, a Compile).
    /// </summary>
    internal sealed class KerasLocalModel
    {
        private KerasLocalModel(ILocalSymbol local, IObjectCreationOperation creation, List<IInvocationOperation> calls)
        {
            Local = local;
            Creation = creation;
            Calls = calls;
        }

        public ILocalSymbol Local { get; }

        /// <summary>The <c>new Sequential(...)</c> (or other Keras model) the local holds.</summary>
        public IObjectCreationOperation Creation { get; }

        /// <summary>Every instance call on the local (Compile, Fit, Add, ...), in source order.</summary>
        public List<IInvocationOperation> Calls { get; }

        /// <summary>The outermost operation above <paramref name="operation"/> (the method body, or top-level statements).</summary>
        public static IOperation Root(IOperation operation)
        {
            while (operation.Parent != null) operation = operation.Parent;
            return operation;
        }

        /// <summary>
        /// Every operation of the body <paramref name="operation"/> belongs to (its root included), in the order of
        /// <c>DescendantsAndSelf</c>: walked once per body and shared by every rule that looks at the whole body (the
        /// driver gives all analyzers the same operation tree), so a body with several triggers is not walked again.
        /// </summary>
        public static IOperation[] BodyOperations(IOperation operation) => Bodies.GetValue(Root(operation), NewBody).Operations;

        /// <summary>The local model the body's local <paramref name="local"/> holds, computed once per body and local.</summary>
        private static KerasLocalModel? Cached(IOperation root, ILocalSymbol local, Func<KerasLocalModel?> create)
        {
            var models = Bodies.GetValue(root, NewBody).Models;
            lock (models)
                if (models.TryGetValue(local, out var known)) return known;
            var model = create();
            lock (models) models[local] = model;
            return model;
        }

        private static readonly ConditionalWeakTable<IOperation, Body>.CreateValueCallback NewBody = root => new Body(Walk(root));

        /// <summary>
        /// DescendantsAndSelf in its order, less the arguments the compiler filled in from parameter defaults (a Keras
        /// constructor call has a dozen): they hold only constants, so no rule looks into them.
        /// </summary>
        private static IOperation[] Walk(IOperation root)
        {
            var list = new List<IOperation>(64);
            // Scratch space reused by the thread's next walk (walks do not nest).
            var stack = _stack ??= new Stack<IOperation>();
            var children = _children ??= new List<IOperation>();
            stack.Clear();
            stack.Push(root);
            while (stack.Count > 0)
            {
                var current = stack.Pop();
                list.Add(current);
                children.Clear();
                foreach (var child in current.ChildOperations)
                    if (child is not IArgumentOperation { ArgumentKind: ArgumentKind.DefaultValue }) children.Add(child);
                for (int i = children.Count - 1; i >= 0; i--) stack.Push(children[i]);
            }
            return list.ToArray();
        }

        [ThreadStatic] private static Stack<IOperation>? _stack;
        [ThreadStatic] private static List<IOperation>? _children;

        private sealed class Body
        {
            public Body(IOperation[] operations) => Operations = operations;

            public IOperation[] Operations { get; }

            /// <summary>Local models by local (few per body; guarded by locking the dictionary).</summary>
            public Dictionary<ILocalSymbol, KerasLocalModel?> Models { get; } =
                new Dictionary<ILocalSymbol, KerasLocalModel?>(SymbolEqualityComparer.Default);
        }

        private static readonly ConditionalWeakTable<IOperation, Body> Bodies = new ConditionalWeakTable<IOperation, Body>();

        /// <summary>The local model <paramref name="receiver"/> names, or null when it is not one whose whole life is in view.</summary>
        public static KerasLocalModel? TryCreate(IOperation? receiver, KerasContext keras)
        {
            if (receiver == null || KerasContext.Unwrap(receiver) is not ILocalReferenceOperation reference) return null;
            var local = reference.Local;
            if (local.IsRef || local.IsConst) return null;
            return Cached(Root(reference), local, () => Create(reference, local, keras));
        }

        private static KerasLocalModel? Create(ILocalReferenceOperation reference, ILocalSymbol local, KerasContext keras)
        {
            IObjectCreationOperation? creation = null;
            var calls = new List<IInvocationOperation>();
            foreach (var op in BodyOperations(reference))
            {
                switch (op)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                        if (declarator.Initializer == null) return null;
                        if (KerasContext.Unwrap(declarator.Initializer.Value) is not IObjectCreationOperation c || !keras.IsModel(c.Type) ||
                            !keras.IsKerasApi(c.Type)) return null;
                        creation = c;
                        break;
                    case ILocalReferenceOperation use when SymbolEqualityComparer.Default.Equals(use.Local, local):
                        if (!IsReceiverUse(use, calls)) return null;
                        break;
                }
            }
            return creation == null ? null : new KerasLocalModel(local, creation, calls);
        }

        /// <summary>A use as the receiver of an instance call or member access (not an argument, assignment target, return, ...).</summary>
        private static bool IsReceiverUse(ILocalReferenceOperation use, List<IInvocationOperation> calls)
        {
            IOperation current = use;
            while (current.Parent is IConversionOperation { IsImplicit: true } conversion) current = conversion;
            switch (current.Parent)
            {
                case IInvocationOperation invocation when invocation.Instance == current && !invocation.TargetMethod.IsExtensionMethod:
                    calls.Add(invocation);
                    return true;
                case IPropertyReferenceOperation property when property.Instance == current:
                    // model.Trainable = x, model.Layers[0]...: a member access, not a hand-over.
                    return true;
                case IFieldReferenceOperation field when field.Instance == current:
                    return true;
                case IExpressionStatementOperation:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>Calls on the local named <paramref name="name"/>.</summary>
        public IEnumerable<IInvocationOperation> CallsNamed(string name)
        {
            foreach (var call in Calls)
                if (call.TargetMethod.Name == name) yield return call;
        }
    }
}

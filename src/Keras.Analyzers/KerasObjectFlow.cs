using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// Order reasoning on Roslyn's control-flow graph (not text order) for KERAS002 and KERAS010: finds calls
    /// ("barriers") that lie on a path from the creation of a Keras object stored in a local to a later use of that same
    /// object (no reassignment of the local in between). Loops, branches and early returns are followed as the CFG
    /// gives them; lambdas and local functions are not entered.
    /// </summary>
    internal static class KerasObjectFlow
    {
        internal readonly struct Finding
        {
            public Finding(IInvocationOperation barrier, ILocalSymbol local, IOperation creation)
            {
                Barrier = barrier;
                Local = local;
                Creation = creation;
            }

            public IInvocationOperation Barrier { get; }
            public ILocalSymbol Local { get; }
            public IOperation Creation { get; }
        }

        private enum EventKind
        {
            Define,
            Kill,
            Use,
            Barrier,
        }

        private readonly struct Event
        {
            public Event(EventKind kind, ILocalSymbol? local, IOperation operation)
            {
                Kind = kind;
                Local = local;
                Operation = operation;
            }

            public EventKind Kind { get; }
            public ILocalSymbol? Local { get; }
            public IOperation Operation { get; }
        }

        public static List<Finding> Find(ControlFlowGraph cfg, KerasContext keras, Func<IInvocationOperation, bool> isBarrier)
        {
            var blocks = cfg.Blocks;
            var events = CfgEvents.PerBlock<Event>(blocks, (op, list) => Collect(op, keras, isBarrier, list));

            var findings = new List<Finding>();
            var reported = new HashSet<(IInvocationOperation, ILocalSymbol)>();
            for (int b = 0; b < blocks.Length; b++)
            {
                for (int i = 0; i < events[b].Count; i++)
                {
                    var definition = events[b][i];
                    if (definition.Kind != EventKind.Define) continue;
                    foreach (var (barrier, use) in Search(blocks, events, b, i + 1, definition.Local!))
                    {
                        if (reported.Add((barrier, definition.Local!)))
                            findings.Add(new Finding(barrier, definition.Local!, definition.Operation));
                        _ = use;
                    }
                }
            }
            return findings;
        }

        /// <summary>Forward search from just after a definition: (barrier passed, use reached) pairs.</summary>
        private static IEnumerable<(IInvocationOperation Barrier, IOperation Use)> Search(
            System.Collections.Immutable.ImmutableArray<BasicBlock> blocks, List<Event>[] events, int startBlock, int startIndex, ILocalSymbol local)
        {
            var visited = new HashSet<(int Block, int Index, IInvocationOperation? Barrier)>();
            var work = new Stack<(int Block, int Index, IInvocationOperation? Barrier)>();
            work.Push((startBlock, startIndex, null));
            while (work.Count > 0)
            {
                var (block, index, barrier) = work.Pop();
                if (!visited.Add((block, index, barrier))) continue;
                if (index < events[block].Count)
                {
                    var e = events[block][index];
                    if ((e.Kind == EventKind.Define || e.Kind == EventKind.Kill) && SymbolEqualityComparer.Default.Equals(e.Local, local))
                        continue; // the local now holds something else
                    if (e.Kind == EventKind.Use && barrier != null && SymbolEqualityComparer.Default.Equals(e.Local, local))
                    {
                        yield return (barrier, e.Operation);
                        continue;
                    }
                    var next = e.Kind == EventKind.Barrier && barrier == null ? (IInvocationOperation)e.Operation : barrier;
                    work.Push((block, index + 1, next));
                    continue;
                }
                foreach (int successor in CfgEvents.Successors(blocks[block])) work.Push((successor, 0, barrier));
            }
        }

        /// <summary>Events of one CFG operation, in evaluation order (an assignment's value before the assignment).</summary>
        private static void Collect(IOperation op, KerasContext keras, Func<IInvocationOperation, bool> isBarrier, List<Event> list)
        {
            switch (op)
            {
                case IFlowAnonymousFunctionOperation:
                case IAnonymousFunctionOperation:
                case ILocalFunctionOperation:
                    return; // not entered
                case ISimpleAssignmentOperation assignment when assignment.Target is ILocalReferenceOperation target:
                    Collect(assignment.Value, keras, isBarrier, list);
                    var value = KerasContext.Unwrap(assignment.Value);
                    list.Add(value is IObjectCreationOperation creation && keras.IsLayer(creation.Type)
                        ? new Event(EventKind.Define, target.Local, creation)
                        : new Event(EventKind.Kill, target.Local, assignment));
                    return;
                case ICompoundAssignmentOperation compound when compound.Target is ILocalReferenceOperation target:
                    Collect(compound.Value, keras, isBarrier, list);
                    list.Add(new Event(EventKind.Kill, target.Local, compound));
                    return;
                case IInvocationOperation invocation:
                    if (invocation.Instance != null) Collect(invocation.Instance, keras, isBarrier, list);
                    foreach (var argument in invocation.Arguments) Collect(argument, keras, isBarrier, list);
                    if (isBarrier(invocation)) list.Add(new Event(EventKind.Barrier, null, invocation));
                    return;
                case ILocalReferenceOperation reference:
                    list.Add(new Event(EventKind.Use, reference.Local, reference));
                    return;
            }
            foreach (var child in op.ChildOperations) Collect(child, keras, isBarrier, list);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace Keras.Analyzers
{
    /// <summary>What the CFG-based rules (KERAS002/010, KERAS102) share: per-block event lists and block successors.</summary>
    internal static class CfgEvents
    {
        /// <summary>The events of each basic block, in evaluation order (its operations, then its branch value).</summary>
        public static List<T>[] PerBlock<T>(ImmutableArray<BasicBlock> blocks, Action<IOperation, List<T>> collect)
        {
            var events = new List<T>[blocks.Length];
            for (int b = 0; b < blocks.Length; b++)
            {
                var list = new List<T>();
                foreach (var op in blocks[b].Operations) collect(op, list);
                if (blocks[b].BranchValue != null) collect(blocks[b].BranchValue!, list);
                events[b] = list;
            }
            return events;
        }

        /// <summary>The ordinals of the blocks control can flow to next.</summary>
        public static IEnumerable<int> Successors(BasicBlock block)
        {
            if (block.FallThroughSuccessor?.Destination is { } fall) yield return fall.Ordinal;
            if (block.ConditionalSuccessor?.Destination is { } cond) yield return cond.Ordinal;
        }
    }
}

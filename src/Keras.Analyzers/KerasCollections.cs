using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// The elements of a list argument written in place: an array creation with an initializer
    /// (<c>new[] { "accuracy" }</c>) or a C# 12 collection expression (<c>["accuracy"]</c>).
    /// </summary>
    /// <remarks>
    /// Roslyn 4.8, which the analyzers compile against, has no operation for a collection expression: it gives an
    /// <see cref="OperationKind.None"/> operation whose syntax is the <see cref="CollectionExpressionSyntax"/> and whose
    /// <see cref="IOperation.ChildOperations"/> are the elements in order (a spread element is another None operation).
    /// Roslyn 4.9 and later, the compilers that load the analyzers in current SDKs, give ICollectionExpressionOperation
    /// (OperationKind 127) with the same children (a spread is ISpreadOperation). Both are read the same way; an element
    /// is taken only when it is an expression element whose operation is that expression's.
    /// </remarks>
    internal static class KerasCollections
    {
        /// <summary>OperationKind.CollectionExpression of Roslyn 4.9+, a kind Roslyn 4.8's enum does not name.</summary>
        private const OperationKind CollectionExpressionKind = (OperationKind)0x7F;

        /// <summary>
        /// True when <paramref name="value"/> (implicit conversions unwrapped) is an array initializer or a collection
        /// expression; <paramref name="elements"/> are then its elements unwrapped, in order, with null for a spread
        /// element (or one whose operation could not be matched to its syntax).
        /// </summary>
        public static bool TryGetElements(IOperation value, out ImmutableArray<IOperation?> elements)
        {
            elements = default;
            var unwrapped = KerasContext.Unwrap(value);
            if (unwrapped is IArrayCreationOperation array)
            {
                if (array.Initializer == null) return false;
                var builder = ImmutableArray.CreateBuilder<IOperation?>(array.Initializer.ElementValues.Length);
                foreach (var element in array.Initializer.ElementValues) builder.Add(KerasContext.Unwrap(element));
                elements = builder.MoveToImmutable();
                return true;
            }
            if (unwrapped.Syntax is not CollectionExpressionSyntax syntax || (unwrapped.Kind != OperationKind.None && unwrapped.Kind != CollectionExpressionKind))
                return false;
            var children = ImmutableArray.CreateBuilder<IOperation?>(syntax.Elements.Count);
            int i = 0;
            foreach (var child in unwrapped.ChildOperations)
            {
                if (i == syntax.Elements.Count) return false; // not the shape either Roslyn gives: judge nothing
                var element = KerasContext.Unwrap(child);
                children.Add(syntax.Elements[i] is ExpressionElementSyntax expression && element.Syntax == expression.Expression ? element : null);
                i++;
            }
            if (i != syntax.Elements.Count) return false;
            elements = children.MoveToImmutable();
            return true;
        }
    }
}

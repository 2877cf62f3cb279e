using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// What KERAS301/302 share: the Keras.Runtime method (or constructor) a call or <c>new</c> targets, its member name as
    /// the shared tables write it (".ctor" or the method name) and the metadata names of its type and base types.
    /// </summary>
    internal static class KerasCallSites
    {
        public static bool TryGetCall(IOperation operation, out IMethodSymbol method, out ImmutableArray<IArgumentOperation> arguments)
        {
            switch (operation)
            {
                case IInvocationOperation invocation:
                    method = invocation.TargetMethod;
                    arguments = invocation.Arguments;
                    return true;
                case IObjectCreationOperation { Constructor: { } constructor } creation:
                    method = constructor;
                    arguments = creation.Arguments;
                    return true;
                default:
                    method = null!;
                    arguments = default;
                    return false;
            }
        }

        public static string MemberName(IMethodSymbol method) => method.MethodKind == MethodKind.Constructor ? ".ctor" : method.Name;

        /// <summary>Metadata names of <paramref name="type"/> and its base types (most derived first), cached per compilation.</summary>
        public static IReadOnlyList<string> TypeChain(KerasContext keras, INamedTypeSymbol type) => keras.TypeChains.GetOrAdd(type, t =>
        {
            var list = new List<string>();
            for (var b = t; b != null && b.SpecialType != SpecialType.System_Object; b = b.BaseType) list.Add(MetadataName(b.OriginalDefinition));
            return list;
        });

        public static string MetadataName(INamedTypeSymbol type)
        {
            var ns = type.ContainingNamespace;
            string prefix = ns == null || ns.IsGlobalNamespace ? "" : ns.ToDisplayString() + ".";
            return type.ContainingType != null ? MetadataName(type.ContainingType) + "+" + type.MetadataName : prefix + type.MetadataName;
        }

        /// <summary>Keras' snake_case of a C# parameter name (kernelSize → kernel_size).</summary>
        public static string Snake(string name)
        {
            var sb = new System.Text.StringBuilder(name.Length + 4);
            foreach (char c in name)
            {
                if (char.IsUpper(c))
                {
                    if (sb.Length > 0) sb.Append('_');
                    sb.Append(char.ToLowerInvariant(c));
                }
                else sb.Append(c);
            }
            return sb.ToString();
        }
    }
}

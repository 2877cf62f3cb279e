using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// Keras.Runtime's symbols in one compilation, resolved once per compilation. <see cref="TryCreate"/> returns null
    /// when the compilation does not reference Keras.Runtime: then the analyzers register nothing and do no work.
    /// </summary>
    internal sealed class KerasContext
    {
        private KerasContext(Compilation compilation, INamedTypeSymbol config)
        {
            _compilation = compilation;
            Config = config;
            Utils = compilation.GetTypeByMetadataName(KerasApi.Utils);
            Backend = compilation.GetTypeByMetadataName(KerasApi.Backend);
            Layer = compilation.GetTypeByMetadataName(KerasApi.Layer);
            Model = compilation.GetTypeByMetadataName(KerasApi.Model);
            Saving = compilation.GetTypeByMetadataName(KerasApi.Saving);
            ModelCheckpoint = compilation.GetTypeByMetadataName(KerasApi.ModelCheckpoint);
        }

        public INamedTypeSymbol Config { get; }

        /// <summary>Per-compilation cache of type chains (<see cref="KerasCallSites.TypeChain"/>).</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<INamedTypeSymbol, System.Collections.Generic.IReadOnlyList<string>> TypeChains { get; } =
            new System.Collections.Concurrent.ConcurrentDictionary<INamedTypeSymbol, System.Collections.Generic.IReadOnlyList<string>>(SymbolEqualityComparer.Default);
        /// <summary>Per-compilation cache of KERAS301's parameter kinds (null: the parameter is not resolved by name).</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<IParameterSymbol, Keras.Shared.KerasIdentifiers.Kind?> IdentifierKinds { get; } =
            new System.Collections.Concurrent.ConcurrentDictionary<IParameterSymbol, Keras.Shared.KerasIdentifiers.Kind?>(SymbolEqualityComparer.Default);

        /// <summary>Per-compilation cache of KERAS302's argument rules (null: no rule checks the parameter).</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<IParameterSymbol, Keras.Shared.KerasArgumentRules.Rule?> ArgumentRules { get; } =
            new System.Collections.Concurrent.ConcurrentDictionary<IParameterSymbol, Keras.Shared.KerasArgumentRules.Rule?>(SymbolEqualityComparer.Default);

        public INamedTypeSymbol? Utils { get; }
        public INamedTypeSymbol? Backend { get; }
        public INamedTypeSymbol? Layer { get; }
        public INamedTypeSymbol? Model { get; }
        public INamedTypeSymbol? Saving { get; }
        public INamedTypeSymbol? ModelCheckpoint { get; }

        /// <summary>True when <paramref name="symbol"/> is declared in Keras.Runtime (the assembly of Keras.Config).</summary>
        public bool IsKerasApi(ISymbol? symbol) =>
            symbol != null && SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, Config.ContainingAssembly);

        /// <summary>
        /// The compilation's context, made once and shared by every Keras analyzer: GetTypeByMetadataName searches every
        /// referenced assembly, so seventeen analyzers each resolving their types would cost more than their rules.
        /// </summary>
        public static KerasContext? TryCreate(Compilation compilation) =>
            Contexts.GetValue(compilation, c =>
            {
                var config = c.GetTypeByMetadataName(KerasApi.Config);
                return new Holder(config == null ? null : new KerasContext(c, config));
            }).Context;

        private sealed class Holder
        {
            public Holder(KerasContext? context) => Context = context;

            public KerasContext? Context { get; }
        }

        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, Holder> Contexts =
            new System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, Holder>();

        private readonly Compilation _compilation;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, INamedTypeSymbol?> _types =
            new System.Collections.Concurrent.ConcurrentDictionary<string, INamedTypeSymbol?>(System.StringComparer.Ordinal);

        /// <summary>A type by metadata name, resolved once per compilation for all analyzers.</summary>
        public INamedTypeSymbol? Type(string metadataName) => _types.GetOrAdd(metadataName, n => _compilation.GetTypeByMetadataName(n));

        /// <summary>A call to Keras.Config.<paramref name="name"/> (or its Keras.Backend alias, where one exists).</summary>
        public bool IsConfigCall(IInvocationOperation invocation, string name)
        {
            var method = invocation.TargetMethod;
            if (method.Name != name) return false;
            var type = method.ContainingType;
            return SymbolEqualityComparer.Default.Equals(type, Config) || SymbolEqualityComparer.Default.Equals(type, Backend);
        }

        /// <summary>Keras.Utils.ClearSession or Keras.Backend.ClearSession.</summary>
        public bool IsClearSession(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (method.Name != KerasApi.ClearSession) return false;
            var type = method.ContainingType;
            return SymbolEqualityComparer.Default.Equals(type, Utils) || SymbolEqualityComparer.Default.Equals(type, Backend);
        }

        /// <summary>True for Keras.Layers.Layer and everything derived from it (layers and models, users' too).</summary>
        public bool IsLayer(ITypeSymbol? type) => DerivesFrom(type, Layer);

        /// <summary>True for Keras.Models.Model and everything derived from it (Sequential, users' models).</summary>
        public bool IsModel(ITypeSymbol? type) => DerivesFrom(type, Model);

        private static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
        {
            if (baseType == null) return false;
            for (var t = type; t != null; t = t.BaseType)
                if (SymbolEqualityComparer.Default.Equals(t, baseType)) return true;
            return false;
        }

        /// <summary>The constant value of the call's first argument, if it has one.</summary>
        public static Optional<object?> FirstArgumentConstant(IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
                if (argument.Parameter?.Ordinal == 0) return Unwrap(argument.Value).ConstantValue;
            return default;
        }

        /// <summary>The first argument's syntax (for code fixes), or null.</summary>
        public static IArgumentOperation? FirstArgument(IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
                if (argument.Parameter?.Ordinal == 0) return argument;
            return null;
        }

        public static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation conversion && conversion.IsImplicit) operation = conversion.Operand;
            return operation;
        }

        public static readonly ImmutableArray<string> TestFrameworkAssemblies = ImmutableArray.Create(
            "xunit.core", "xunit.v3.core", "nunit.framework", "Microsoft.VisualStudio.TestPlatform.TestFramework", "MSTest.TestFramework", "TUnit.Core");
    }
}

using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;

namespace Keras.SavingLib
{
    /// <summary>
    /// Parses a saved configuration: depth-limited, and walked once right away so that what System.Text.Json checks
    /// lazily (duplicate keys in an object) fails here with a located error instead of deep inside loading.
    /// </summary>
    internal static class ConfigJson
    {
        internal static JsonNode? Parse(string text, LoadLimits limits, string source)
        {
            var root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth });
            // Iterative walk (no recursion on the file's depth).
            var pending = new Stack<(JsonNode Node, string Path)>();
            if (root != null) pending.Push((root, "$"));
            while (pending.Count > 0)
            {
                var (node, path) = pending.Pop();
                switch (node)
                {
                    case JsonObject o:
                        try
                        {
                            foreach (var pair in o)
                                if (pair.Value != null) pending.Push((pair.Value, path + "." + pair.Key));
                        }
                        catch (ArgumentException e)
                        {
                            // Python's json keeps the last of duplicate keys, .NET refuses them: either way the file is ambiguous.
                            throw new KerasConfigException(
                                $"{source}: the object at {path} has the same key twice ({e.Message}). Two readers could see two different models: save the model again.",
                                source, path, null, null, "unique keys", e);
                        }
                        break;
                    case JsonArray a:
                        for (int i = 0; i < a.Count; i++)
                            if (a[i] != null) pending.Push((a[i]!, path + "[" + i + "]"));
                        break;
                }
            }
            return root;
        }
    }
}

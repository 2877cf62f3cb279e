// A small JSON reader that keeps exact positions (offset, line, column) for every value and key, so keras.json
// problems can be reported where they are. It accepts what Python's json module accepts (including NaN, Infinity,
// -Infinity, duplicate keys, a UTF-8 BOM, CRLF) and never throws: syntax problems come back as a JsonSyntaxError.
// Linked into Keras.Runtime, Keras.SourceGen and Keras.Analyzers; netstandard2.0-compatible on purpose.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Keras.Shared
{
    internal enum JsonKind
    {
        Object,
        Array,
        String,
        Number,
        True,
        False,
        Null,
    }

    /// <summary>A position in the text: 0-based offset, 1-based line and column.</summary>
    internal readonly struct JsonPosition
    {
        public JsonPosition(int offset, int line, int column)
        {
            Offset = offset;
            Line = line;
            Column = column;
        }

        public int Offset { get; }
        public int Line { get; }
        public int Column { get; }
    }

    internal sealed class JsonNode
    {
        public JsonNode(JsonKind kind, JsonPosition start, int length)
        {
            Kind = kind;
            Start = start;
            Length = length;
        }

        public JsonKind Kind { get; }
        public JsonPosition Start { get; }
        /// <summary>Length of the value's text, in characters.</summary>
        public int Length { get; internal set; }
        /// <summary>Decoded value of a string.</summary>
        public string? StringValue { get; internal set; }
        /// <summary>The number exactly as written (e.g. "1e-07", "1", "NaN").</summary>
        public string? NumberText { get; internal set; }
        public List<JsonMember>? Members { get; internal set; }
        public List<JsonNode>? Items { get; internal set; }

        /// <summary>Python's json turns a number into a float when it has a fraction or exponent, or is NaN/Infinity.</summary>
        public bool IsPythonFloat =>
            Kind == JsonKind.Number && NumberText != null &&
            (NumberText.IndexOf('.') >= 0 || NumberText.IndexOf('e') >= 0 || NumberText.IndexOf('E') >= 0 ||
             NumberText.EndsWith("NaN", StringComparison.Ordinal) || NumberText.EndsWith("Infinity", StringComparison.Ordinal));

        public double NumberValue
        {
            get
            {
                if (NumberText == null) return double.NaN;
                switch (NumberText)
                {
                    case "NaN": return double.NaN;
                    case "Infinity": return double.PositiveInfinity;
                    case "-Infinity": return double.NegativeInfinity;
                }
                return double.TryParse(NumberText, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;
            }
        }

        /// <summary>How Python would describe the type of this value in an error message.</summary>
        public string PythonTypeName =>
            Kind switch
            {
                JsonKind.Object => "dict",
                JsonKind.Array => "list",
                JsonKind.String => "str",
                JsonKind.Number => IsPythonFloat ? "float" : "int",
                JsonKind.True => "bool",
                JsonKind.False => "bool",
                _ => "NoneType",
            };

        /// <summary>The value as Python's repr would print it inside Keras' messages.</summary>
        public string PythonRepr(string sourceText)
        {
            switch (Kind)
            {
                case JsonKind.String: return StringValue ?? "";
                case JsonKind.True: return "True";
                case JsonKind.False: return "False";
                case JsonKind.Null: return "None";
                case JsonKind.Number: return IsPythonFloat ? KerasFacts.PythonFloat(NumberValue) : NumberText ?? "";
                default:
                    int len = Math.Min(Length, 60);
                    return sourceText.Substring(Start.Offset, len) + (len < Length ? "..." : "");
            }
        }
    }

    internal sealed class JsonMember
    {
        public JsonMember(string name, JsonNode key, JsonNode value)
        {
            Name = name;
            Key = key;
            Value = value;
        }

        public string Name { get; }
        public JsonNode Key { get; }
        public JsonNode Value { get; }
    }

    internal sealed class JsonSyntaxError
    {
        public JsonSyntaxError(string message, JsonPosition position)
        {
            Message = message;
            Position = position;
        }

        public string Message { get; }
        public JsonPosition Position { get; }
    }

    internal static class JsonPositionReader
    {
        public const int MaxDepth = 128;

        /// <summary>Parses <paramref name="text"/>. Returns the root, or null with <paramref name="error"/> set.</summary>
        public static JsonNode? Parse(string text, out JsonSyntaxError? error)
        {
            var parser = new Parser(text ?? "");
            try
            {
                parser.SkipWhitespace();
                if (parser.AtEnd)
                {
                    error = parser.Error("the file is empty; expected a JSON object such as {\"floatx\": \"float32\"}");
                    return null;
                }
                var root = parser.ParseValue(0);
                parser.SkipWhitespace();
                if (!parser.AtEnd)
                {
                    error = parser.Error("unexpected text after the end of the JSON value");
                    return null;
                }
                error = null;
                return root;
            }
            catch (SyntaxException e)
            {
                error = e.Error;
                return null;
            }
        }

        /// <summary>Computes the position of <paramref name="offset"/> in <paramref name="text"/>.</summary>
        public static JsonPosition PositionAt(string text, int offset)
        {
            int line = 1, column = 1;
            for (int i = 0; i < offset && i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\n')
                {
                    line++;
                    column = 1;
                }
                else if (c == '\r')
                {
                    if (i + 1 < text.Length && text[i + 1] == '\n') continue; // CRLF counts once, at the \n
                    line++;
                    column = 1;
                }
                else if (!(i == 0 && c == '\uFEFF'))
                {
                    column++;
                }
            }
            return new JsonPosition(offset, line, column);
        }

        private sealed class SyntaxException : Exception
        {
            public SyntaxException(JsonSyntaxError error) : base(error.Message) => Error = error;

            public JsonSyntaxError Error { get; }
        }

        private sealed class Parser
        {
            private readonly string _text;
            private int _pos;
            private int _line = 1;
            private int _lineStart;

            public Parser(string text)
            {
                _text = text;
                if (_text.Length > 0 && _text[0] == '\uFEFF')
                {
                    _pos = 1;
                    _lineStart = 1;
                }
            }

            public bool AtEnd => _pos >= _text.Length;

            private JsonPosition Here => new JsonPosition(_pos, _line, _pos - _lineStart + 1);

            public JsonSyntaxError Error(string message) => new JsonSyntaxError(message, Here);

            private SyntaxException Fail(string message) => new SyntaxException(Error(message));

            public void SkipWhitespace()
            {
                while (_pos < _text.Length)
                {
                    char c = _text[_pos];
                    if (c == ' ' || c == '\t') _pos++;
                    else if (c == '\n')
                    {
                        _pos++;
                        _line++;
                        _lineStart = _pos;
                    }
                    else if (c == '\r')
                    {
                        _pos++;
                        if (_pos < _text.Length && _text[_pos] == '\n') _pos++;
                        _line++;
                        _lineStart = _pos;
                    }
                    else break;
                }
            }

            public JsonNode ParseValue(int depth)
            {
                if (depth > MaxDepth) throw Fail("the JSON is nested more than " + MaxDepth + " levels deep");
                if (AtEnd) throw Fail("unexpected end of file; a value was expected");
                char c = _text[_pos];
                switch (c)
                {
                    case '{': return ParseObject(depth);
                    case '[': return ParseArray(depth);
                    case '"': return ParseString();
                    case 't': return ParseLiteral("true", JsonKind.True);
                    case 'f': return ParseLiteral("false", JsonKind.False);
                    case 'n': return ParseLiteral("null", JsonKind.Null);
                    case 'N': return ParseNamedNumber("NaN");
                    case 'I': return ParseNamedNumber("Infinity");
                    default:
                        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
                        if (c == '\'') throw Fail("strings must use double quotes (\"), not single quotes");
                        if (c == '/') throw Fail("comments are not allowed in JSON");
                        throw Fail("unexpected character '" + Printable(c) + "'; a value was expected");
                }
            }

            private static string Printable(char c) => c < ' ' ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString();

            private JsonNode ParseObject(int depth)
            {
                var start = Here;
                _pos++; // {
                var members = new List<JsonMember>();
                var node = new JsonNode(JsonKind.Object, start, 0) { Members = members };
                SkipWhitespace();
                if (!AtEnd && _text[_pos] == '}')
                {
                    _pos++;
                    node.Length = _pos - start.Offset;
                    return node;
                }
                while (true)
                {
                    SkipWhitespace();
                    if (AtEnd) throw Fail("unexpected end of file inside an object; expected a key or '}'");
                    if (_text[_pos] == '}') throw Fail("trailing comma before '}' is not allowed in JSON");
                    if (_text[_pos] != '"')
                        throw Fail(_text[_pos] == '\'' ? "keys must use double quotes (\"), not single quotes"
                                                       : "expected a key in double quotes");
                    var key = ParseString();
                    SkipWhitespace();
                    if (AtEnd || _text[_pos] != ':') throw Fail("expected ':' after the key \"" + key.StringValue + "\"");
                    _pos++;
                    SkipWhitespace();
                    var value = ParseValue(depth + 1);
                    members.Add(new JsonMember(key.StringValue ?? "", key, value));
                    SkipWhitespace();
                    if (AtEnd) throw Fail("unexpected end of file inside an object; expected ',' or '}'");
                    char c = _text[_pos];
                    if (c == ',')
                    {
                        _pos++;
                        continue;
                    }
                    if (c == '}')
                    {
                        _pos++;
                        node.Length = _pos - start.Offset;
                        return node;
                    }
                    throw Fail("expected ',' or '}' after a value (is a comma missing?)");
                }
            }

            private JsonNode ParseArray(int depth)
            {
                var start = Here;
                _pos++; // [
                var items = new List<JsonNode>();
                var node = new JsonNode(JsonKind.Array, start, 0) { Items = items };
                SkipWhitespace();
                if (!AtEnd && _text[_pos] == ']')
                {
                    _pos++;
                    node.Length = _pos - start.Offset;
                    return node;
                }
                while (true)
                {
                    SkipWhitespace();
                    if (!AtEnd && _text[_pos] == ']') throw Fail("trailing comma before ']' is not allowed in JSON");
                    items.Add(ParseValue(depth + 1));
                    SkipWhitespace();
                    if (AtEnd) throw Fail("unexpected end of file inside an array; expected ',' or ']'");
                    char c = _text[_pos];
                    if (c == ',')
                    {
                        _pos++;
                        continue;
                    }
                    if (c == ']')
                    {
                        _pos++;
                        node.Length = _pos - start.Offset;
                        return node;
                    }
                    throw Fail("expected ',' or ']' after a value");
                }
            }

            private JsonNode ParseString()
            {
                var start = Here;
                _pos++; // opening quote
                var sb = new StringBuilder();
                while (true)
                {
                    if (AtEnd) throw new SyntaxException(new JsonSyntaxError("unterminated string", start));
                    char c = _text[_pos];
                    if (c == '"')
                    {
                        _pos++;
                        return new JsonNode(JsonKind.String, start, _pos - start.Offset) { StringValue = sb.ToString() };
                    }
                    if (c == '\\')
                    {
                        _pos++;
                        if (AtEnd) throw Fail("unterminated escape sequence");
                        char e = _text[_pos];
                        switch (e)
                        {
                            case '"': sb.Append('"'); break;
                            case '\\': sb.Append('\\'); break;
                            case '/': sb.Append('/'); break;
                            case 'b': sb.Append('\b'); break;
                            case 'f': sb.Append('\f'); break;
                            case 'n': sb.Append('\n'); break;
                            case 'r': sb.Append('\r'); break;
                            case 't': sb.Append('\t'); break;
                            case 'u':
                                if (_pos + 4 >= _text.Length) throw Fail("incomplete \\u escape");
                                string hex = _text.Substring(_pos + 1, 4);
                                if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                                    throw Fail("invalid \\u escape \"\\u" + hex + "\"");
                                sb.Append((char)code);
                                _pos += 4;
                                break;
                            default:
                                throw Fail("invalid escape \"\\" + Printable(e) + "\"");
                        }
                        _pos++;
                        continue;
                    }
                    if (c < ' ')
                        throw Fail(c == '\n' || c == '\r' ? "unterminated string (line break inside a string)"
                                                          : "control character " + Printable(c) + " inside a string");
                    sb.Append(c);
                    _pos++;
                }
            }

            private JsonNode ParseLiteral(string word, JsonKind kind)
            {
                var start = Here;
                if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0 || IsWordChar(_pos + word.Length))
                    throw Fail("unexpected word; expected a value (true, false, null, a number, a string, an object or an array)");
                _pos += word.Length;
                return new JsonNode(kind, start, word.Length);
            }

            private JsonNode ParseNamedNumber(string word)
            {
                var start = Here;
                if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0 || IsWordChar(_pos + word.Length))
                    throw Fail("unexpected word; expected a value");
                _pos += word.Length;
                return new JsonNode(JsonKind.Number, start, word.Length) { NumberText = word };
            }

            private bool IsWordChar(int index) =>
                index < _text.Length && (char.IsLetterOrDigit(_text[index]) || _text[index] == '_');

            private JsonNode ParseNumber()
            {
                var start = Here;
                int begin = _pos;
                if (_text[_pos] == '-')
                {
                    _pos++;
                    if (string.CompareOrdinal(_text, _pos, "Infinity", 0, 8) == 0 && !IsWordChar(_pos + 8))
                    {
                        _pos += 8;
                        return new JsonNode(JsonKind.Number, start, _pos - begin) { NumberText = "-Infinity" };
                    }
                }
                if (AtEnd || !IsAsciiDigit(_text[_pos])) throw Fail("invalid number: a digit must follow '-'");
                if (_text[_pos] == '0')
                {
                    _pos++;
                    if (!AtEnd && IsAsciiDigit(_text[_pos])) throw Fail("invalid number: leading zeros are not allowed");
                }
                else
                {
                    while (!AtEnd && IsAsciiDigit(_text[_pos])) _pos++;
                }
                if (!AtEnd && _text[_pos] == '.')
                {
                    _pos++;
                    if (AtEnd || !IsAsciiDigit(_text[_pos])) throw Fail("invalid number: a digit must follow '.'");
                    while (!AtEnd && IsAsciiDigit(_text[_pos])) _pos++;
                }
                if (!AtEnd && (_text[_pos] == 'e' || _text[_pos] == 'E'))
                {
                    _pos++;
                    if (!AtEnd && (_text[_pos] == '+' || _text[_pos] == '-')) _pos++;
                    if (AtEnd || !IsAsciiDigit(_text[_pos])) throw Fail("invalid number: the exponent has no digits");
                    while (!AtEnd && IsAsciiDigit(_text[_pos])) _pos++;
                }
                if (!AtEnd && (char.IsLetter(_text[_pos]) || _text[_pos] == '_'))
                    throw Fail("invalid number: unexpected '" + _text[_pos] + "' after the digits");
                return new JsonNode(JsonKind.Number, start, _pos - begin) { NumberText = _text.Substring(begin, _pos - begin) };
            }

            private static bool IsAsciiDigit(char c) => c >= '0' && c <= '9';
        }
    }
}

package io.tlspsk.examples;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Writes a JSON document (RFC 8259) into a string, one value at a time: enough for psk-tool's reports without a
 * JSON library in the tool. Names and string values are escaped; non-finite numbers, which JSON cannot hold,
 * are written as null.
 */
final class JsonWriter {

    private final StringBuilder b = new StringBuilder();
    /** Per open object or array: whether it has a member yet (for commas). */
    private final Deque<Boolean> hasMember = new ArrayDeque<>();
    private int depth;

    JsonWriter beginObject() {
        value();
        return open('{');
    }

    JsonWriter beginObject(String name) {
        name(name);
        return open('{');
    }

    JsonWriter endObject() {
        return close('}');
    }

    JsonWriter beginArray(String name) {
        name(name);
        return open('[');
    }

    JsonWriter endArray() {
        return close(']');
    }

    JsonWriter field(String name, String value) {
        name(name);
        if (value == null) {
            b.append("null");
        } else {
            string(value);
        }
        return this;
    }

    JsonWriter field(String name, long value) {
        name(name);
        b.append(value);
        return this;
    }

    JsonWriter field(String name, double value) {
        name(name);
        number(value);
        return this;
    }

    JsonWriter field(String name, boolean value) {
        name(name);
        b.append(value);
        return this;
    }

    JsonWriter nullField(String name) {
        name(name);
        b.append("null");
        return this;
    }

    /** A string element of the enclosing array. */
    JsonWriter element(String value) {
        value();
        string(value);
        return this;
    }

    /** The document, with a final newline. */
    @Override
    public String toString() {
        if (depth != 0) {
            throw new IllegalStateException("unclosed object or array");
        }
        return b + "\n";
    }

    private JsonWriter open(char c) {
        b.append(c);
        hasMember.push(false);
        depth++;
        return this;
    }

    private JsonWriter close(char c) {
        hasMember.pop();
        depth--;
        newline();
        b.append(c);
        return this;
    }

    private void name(String name) {
        value();
        string(name);
        b.append(": ");
    }

    /** Starts a member or element: a comma after the previous one, a new line, indentation. */
    private void value() {
        if (hasMember.isEmpty()) {
            return;
        }
        if (hasMember.pop()) {
            b.append(',');
        }
        hasMember.push(true);
        newline();
    }

    private void newline() {
        b.append('\n');
        b.append("  ".repeat(depth));
    }

    /** Six significant digits, plain notation: enough for rates and latencies, and easy to read. */
    private void number(double v) {
        if (Double.isFinite(v)) {
            b.append(BigDecimal.valueOf(v).round(new MathContext(6)).stripTrailingZeros().toPlainString());
        } else {
            b.append("null");
        }
    }

    private void string(String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
    }
}

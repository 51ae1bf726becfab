package dev.chimera.tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Element types of the safetensors format, with their on-disk names and sizes. */
public enum DType {
    F64("F64", 8, true),
    F32("F32", 4, true),
    F16("F16", 2, true),
    BF16("BF16", 2, true),
    I64("I64", 8, false),
    I32("I32", 4, false),
    I16("I16", 2, false),
    I8("I8", 1, false),
    U8("U8", 1, false),
    BOOL("BOOL", 1, false),
    U16("U16", 2, false),
    U32("U32", 4, false),
    U64("U64", 8, false),
    /** 8-bit float, carried through unchanged (no arithmetic support). */
    F8_E4M3("F8_E4M3", 1, true),
    /** 8-bit float, carried through unchanged (no arithmetic support). */
    F8_E5M2("F8_E5M2", 1, true);

    /** Largest element size of any dtype; chunk limits must be at least this. */
    public static final int MAX_SIZE = 8;

    private final String safetensorsName;
    private final int size;
    private final boolean isFloat;

    DType(String safetensorsName, int size, boolean isFloat) {
        this.safetensorsName = safetensorsName;
        this.size = size;
        this.isFloat = isFloat;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The name used in safetensors headers, e.g. {@code "BF16"}. */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** True for floating-point types (including the 8-bit floats). */
    public boolean isFloat() {
        return isFloat;
    }

    /**
     * Parses a safetensors dtype name. Case-sensitive, like the reference implementation.
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static DType parse(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype "
                + (name == null ? "null" : '"' + name + '"')
                + "; allowed: "
                + Arrays.stream(values()).map(DType::safetensorsName).collect(Collectors.joining(", ")));
    }

    /**
     * Parses a torch dtype name as found in {@code config.json} ("bfloat16", "float16", "float32",
     * with or without the "torch." prefix, plus the aliases "half", "float" and "double") or a
     * safetensors name such as "BF16".
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static DType parseTorch(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("torch.")) {
            n = n.substring("torch.".length());
        }
        switch (n) {
            case "half":
                return F16;
            case "float":
                return F32;
            case "double":
                return F64;
            default:
                break;
        }
        for (DType d : values()) {
            if (d.torchName().equals(n) || d.safetensorsName.equalsIgnoreCase(n)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown torch dtype \""
                + name
                + "\"; allowed: "
                + Arrays.stream(values()).map(DType::torchName).collect(Collectors.joining(", ")));
    }

    /** The torch name of a float dtype as written to {@code config.json}, e.g. "bfloat16". */
    public String torchName() {
        switch (this) {
            case BF16:
                return "bfloat16";
            case F16:
                return "float16";
            case F32:
                return "float32";
            case F64:
                return "float64";
            case I64:
                return "int64";
            case I32:
                return "int32";
            case I16:
                return "int16";
            case I8:
                return "int8";
            case U8:
                return "uint8";
            case BOOL:
                return "bool";
            case U16:
                return "uint16";
            case U32:
                return "uint32";
            case U64:
                return "uint64";
            case F8_E4M3:
                return "float8_e4m3fn";
            case F8_E5M2:
                return "float8_e5m2";
            default:
                throw new AssertionError(this);
        }
    }
}

package dev.chimera.eval;

import java.util.Optional;

/** The tokenizer view the {@link TaskRunner} needs; {@link Tokenizer} adapts to it via {@link #of(Tokenizer)}. */
public interface TokenCodec {
    /** Ids of {@code text} with the tokenizer's default special tokens (e.g. BOS), as HF's {@code encode}. */
    int[] encodeWithSpecial(String text);

    /**
     * Ids of a prompt as lm-eval's HF backend encodes it: with the default special tokens, unless the text already
     * starts with the prefix token (BOS, else EOS), as a chat template's output often does.
     */
    default int[] encodeContext(String text) {
        return encodeWithSpecial(text);
    }

    /** Text of generated ids, special tokens dropped. */
    String decode(int[] ids);

    /** The end-of-sequence id, if the tokenizer names one. */
    Optional<Integer> eosId();

    static TokenCodec of(Tokenizer t) {
        return new TokenCodec() {
            @Override
            public int[] encodeWithSpecial(String text) {
                return t.encodeWithSpecial(text);
            }

            @Override
            public int[] encodeContext(String text) {
                String prefix = t.bosToken().or(t::eosToken).orElse(null);
                return prefix != null && text.startsWith(prefix) ? t.encode(text) : t.encodeWithSpecial(text);
            }

            @Override
            public String decode(int[] ids) {
                return t.decodeSkippingSpecial(ids);
            }

            @Override
            public Optional<Integer> eosId() {
                return t.eosId();
            }
        };
    }
}

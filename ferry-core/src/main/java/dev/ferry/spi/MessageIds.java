package dev.ferry.spi;

/** Conversions of 64-bit message ids to and from NSQ's 16 ASCII hexadecimal characters. */
public final class MessageIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private MessageIds() {}

    /** The id as 16 lowercase hexadecimal characters. */
    public static String toHex(long id) {
        char[] out = new char[16];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (id & 0xF)];
            id >>>= 4;
        }
        return new String(out);
    }

    /**
     * Parses 16 hexadecimal characters.
     *
     * @throws IllegalArgumentException when the text is not 16 hex characters
     */
    public static long fromHex(CharSequence hex) {
        if (hex.length() != 16) {
            throw new IllegalArgumentException("a message id is 16 hex characters, got " + hex.length());
        }
        long value = 0;
        for (int i = 0; i < 16; i++) {
            int digit = Character.digit(hex.charAt(i), 16);
            if (digit < 0) {
                throw new IllegalArgumentException("not a hex message id: " + hex);
            }
            value = (value << 4) | digit;
        }
        return value;
    }
}

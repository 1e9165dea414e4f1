package dev.ferry.support;

import dev.ferry.MessageHandler;

/**
 * A handler that never blocks and finishes in microseconds, so a bus may run it on the thread that
 * claimed the message instead of handing it to its handler executor (one thread hand-off less per
 * message). Ferry's own reply handler of {@link QueryClient} is one; user handlers never are.
 */
public interface NonBlockingHandler extends MessageHandler {}

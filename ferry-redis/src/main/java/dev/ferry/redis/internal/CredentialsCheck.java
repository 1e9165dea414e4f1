package dev.ferry.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;

/**
 * Tells whether a server refused a connection's credentials, after a connect that failed without
 * saying why. When Redis refuses the password in the connection's handshake, Lettuce sometimes
 * reports only that the connection closed before the handshake ended (its close races the
 * refusal), so the user would read "not reachable" for a wrong password. This check connects again
 * without credentials (RESP2, no PING first, so the handshake sends nothing Redis could refuse) and
 * sends {@code AUTH} as a plain command, whose answer cannot be lost that way.
 */
final class CredentialsCheck {
    private CredentialsCheck() {}

    /**
     * The server's refusal of {@code uri}'s credentials, or null when it accepts them, when {@code
     * uri} carries none, names Sentinels, or the server cannot be asked.
     */
    static RedisCommandExecutionException refusal(RedisURI uri, ClientResources resources, Duration timeout) {
        if (!uri.getSentinels().isEmpty() || uri.getCredentialsProvider() == null) {
            return null;
        }
        RedisCredentials credentials =
                uri.getCredentialsProvider().resolveCredentials().block(timeout);
        if (credentials == null || !credentials.hasPassword()) {
            return null;
        }
        RedisURI bare = RedisURI.builder()
                .withHost(uri.getHost())
                .withPort(uri.getPort())
                .withSsl(uri.isSsl())
                .withVerifyPeer(uri.getVerifyMode())
                .withTimeout(timeout)
                .build();
        RedisClient client = RedisClient.create(resources, bare);
        client.setOptions(ClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP2)
                .pingBeforeActivateConnection(false)
                .autoReconnect(false)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            String password = new String(credentials.getPassword());
            if (credentials.hasUsername()) {
                connection.sync().auth(credentials.getUsername(), password);
            } else {
                connection.sync().auth(password);
            }
            return null;
        } catch (RedisCommandExecutionException refused) {
            return refused;
        } catch (RuntimeException cannotAsk) {
            return null;
        } finally {
            client.shutdown(Duration.ZERO, timeout);
        }
    }
}

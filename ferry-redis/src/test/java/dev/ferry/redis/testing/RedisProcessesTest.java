package dev.ferry.redis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisProcessesTest {
    @Test
    void shouldStartAServerOnAFreePortAndKillIt() {
        RedisProcess server;
        try (RedisProcesses redis = new RedisProcesses()) {
            server = redis.server();
            assertThat(server.command("SET", "k", "v")).isEqualTo("+OK");
            assertThat(server.command("PING")).isEqualTo("+PONG");
        }
        assertThat(server.alive()).isFalse();
    }

    @Test
    void shouldRestartAKilledServerOnTheSamePort() {
        try (RedisProcesses redis = new RedisProcesses()) {
            RedisProcess server = redis.server();
            int port = server.port();
            server.kill();
            assertThat(server.alive()).isFalse();
            server.restart();
            assertThat(server.port()).isEqualTo(port);
            assertThat(server.command("PING")).isEqualTo("+PONG");
        }
    }
}

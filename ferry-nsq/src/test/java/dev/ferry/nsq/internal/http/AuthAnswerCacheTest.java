package dev.ferry.nsq.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.nsq.internal.server.AuthClient;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthAnswerCacheTest {
    private static AuthAnswerCache.Key key(String secret) {
        return new AuthAnswerCache.Key(secret, "10.0.0.1", false, "");
    }

    private static AuthClient.State answer(String identity, long expiresAt) {
        return new AuthClient.State(identity, "", List.of(), expiresAt);
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedAnswerWhenFullAndCountIt() {
        AuthAnswerCache cache = new AuthAnswerCache(2);
        cache.put(key("a"), answer("alice", 1_000));
        cache.put(key("b"), answer("bob", 1_000));
        // a is used, so b is now the least recently used
        assertThat(cache.get(key("a"), 0).identity()).isEqualTo("alice");
        cache.put(key("c"), answer("carol", 1_000));
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.evictions()).isEqualTo(1);
        assertThat(cache.get(key("b"), 0)).isNull();
        assertThat(cache.get(key("a"), 0).identity()).isEqualTo("alice");
        assertThat(cache.get(key("c"), 0).identity()).isEqualTo("carol");
    }

    @Test
    void shouldNotCountReplacingAnAnswerAsAnEviction() {
        AuthAnswerCache cache = new AuthAnswerCache(1);
        cache.put(key("a"), answer("alice", 1_000));
        cache.put(key("a"), answer("alice again", 2_000));
        assertThat(cache.evictions()).isZero();
        assertThat(cache.get(key("a"), 1_500).identity()).isEqualTo("alice again");
    }

    @Test
    void shouldDropAnExpiredAnswerWhenLookedUpWithoutCountingAnEviction() {
        AuthAnswerCache cache = new AuthAnswerCache(10);
        cache.put(key("a"), answer("alice", 1_000));
        assertThat(cache.get(key("a"), 999)).isNotNull();
        assertThat(cache.get(key("a"), 1_000)).isNull();
        assertThat(cache.size()).isZero();
        assertThat(cache.evictions()).isZero();
    }

    @Test
    void shouldKeepAnswersApartByEverythingTheServiceWasAskedWith() {
        AuthAnswerCache cache = new AuthAnswerCache(10);
        cache.put(new AuthAnswerCache.Key("s", "10.0.0.1", false, ""), answer("plain", 1_000));
        assertThat(cache.get(new AuthAnswerCache.Key("s", "10.0.0.1", true, ""), 0))
                .isNull();
        assertThat(cache.get(new AuthAnswerCache.Key("s", "10.0.0.2", false, ""), 0))
                .isNull();
        assertThat(cache.get(new AuthAnswerCache.Key("s", "10.0.0.1", false, "cn"), 0))
                .isNull();
    }

    @Test
    void shouldRefuseACacheWithoutRoom() {
        assertThatThrownBy(() -> new AuthAnswerCache(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the auth answer cache needs room for 1 answer at least, got 0");
    }
}

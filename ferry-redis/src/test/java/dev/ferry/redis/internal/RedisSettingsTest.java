package dev.ferry.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.spi.EngineUri;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

/** The engine URI read into instances: lists of instances, Sentinel groups, a cluster. */
class RedisSettingsTest {
    private static RedisSettings parse(String text) {
        return RedisSettings.parse(EngineUri.parse(text));
    }

    @Test
    void shouldReadAListOfSentinelGroupsAndServersInOrder() {
        RedisSettings s = parse("redis-sentinel://:pw@s1:26379,s2:26380/ga/3;redis-sentinel://s3/gb;redis://h:6390");
        assertThat(s.instances()).hasSize(3).noneMatch(RedisInstance::cluster);
        RedisURI ga = s.instances().get(0).uris().get(0);
        assertThat(ga.getSentinelMasterId()).isEqualTo("ga");
        assertThat(ga.getSentinels()).extracting(RedisURI::getPort).containsExactly(26379, 26380);
        assertThat(ga.getDatabase()).isEqualTo(3);
        RedisURI gb = s.instances().get(1).uris().get(0);
        assertThat(gb.getSentinelMasterId()).isEqualTo("gb");
        assertThat(gb.getSentinels()).extracting(RedisURI::getPort).containsExactly(26379);
        assertThat(s.instances().get(2).uris().get(0).getPort()).isEqualTo(6390);
        assertThat(s.name()).doesNotContain("pw").contains("***@s1:26379");
    }

    @Test
    void shouldReadAClusterAsOneInstanceWithItsSeeds() {
        RedisSettings s = parse("redis-cluster://a:7000,b:7001");
        assertThat(s.instances()).singleElement().satisfies(i -> {
            assertThat(i.cluster()).isTrue();
            assertThat(i.uris()).extracting(RedisURI::getPort).containsExactly(7000, 7001);
        });
    }

    @Test
    void shouldRefuseWhatCannotBeUsedNamingIt() {
        assertThatThrownBy(() -> parse("redis://a:6379;b:6380"))
                .hasMessageContaining("instance 2 of the list")
                .hasMessageContaining("must start with redis://");
        assertThatThrownBy(() -> parse("redis-cluster://a:7000;redis://b:6379"))
                .hasMessageContaining("must be the only instance");
        assertThatThrownBy(() -> parse("redis-cluster://a:7000?wait-replicas=1"))
                .hasMessageContaining("wait-replicas is not supported with redis-cluster://");
        assertThatThrownBy(() -> parse("redis-sentinel://:secret@s1;redis-sentinel://s2/gb"))
                .hasMessageContaining("names no master")
                .hasMessageNotContaining("secret");
    }
}

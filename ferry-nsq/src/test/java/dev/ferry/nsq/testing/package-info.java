/**
 * Test helpers of the NSQ module that other modules' tests use too (ferry-server's): certificates made
 * with openssl. Published in ferry-nsq's test jar.
 */
package dev.ferry.nsq.testing;

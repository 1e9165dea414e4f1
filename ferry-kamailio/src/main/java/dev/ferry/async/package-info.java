/**
 * Kamailio's async module for Java: {@link dev.ferry.async.Async} runs tasks on named worker groups,
 * now or after a delay measured by a millisecond timer.
 */
package dev.ferry.async;

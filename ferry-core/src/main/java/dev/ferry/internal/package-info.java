/** Ferry's implementation. Not API: anything here may change without notice. */
package dev.ferry.internal;

// Package s3cache is the response cache store that the functions of a
// deployed app share: one S3 bucket per app and stage, so that a cached GET
// and its revalidation hold across every function and Lambda instance.
//
// A Store implements cache.Store over S3, which is strongly consistent:
//
//   - Each cache key is one object, named by the key's SHA-256 (keys may be
//     longer than S3's 1,024-byte limit), holding the response and the time
//     it was generated.
//   - Revalidate writes a tombstone over the object. Once S3 has answered
//     the write, every later read, by any process, sees the tombstone.
//   - A generation is stored with a conditional write naming the version
//     (ETag) it started from (If-Match), or that there was none
//     (If-None-Match: *). A revalidation that lands while the generation
//     runs changes the version, so S3 refuses the write (412) and the purged
//     content cannot come back.
//   - An optional per-process layer (a bounded cache.Memory) keeps the
//     entries read last; every Get still asks S3, with If-None-Match, and
//     serves the local copy only on 304 Not Modified: it saves the body
//     transfer, never a check, so it cannot serve a purged entry.
//
// Regenerator moves the background regeneration of a stale entry to a new
// invocation of the function itself (Lambda's Invoke API, InvocationType
// Event): on Lambda, work left running after a response is frozen with the
// sandbox, while an invocation runs to its end.
//
// The package talks to AWS with net/http and the SDK's request signer (see
// package awsreq), so a cached route stays small and starts fast. Backend
// plugs it into cache.Open; FromEnv reads its settings from the
// environment that deploy (or nextgo start) gives the function.
package s3cache

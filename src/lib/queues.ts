/** Queues' sendBatch takes at most 100 messages and 256 KB per call; BYTES_PER_SEND keeps a margin below the size. */
export const MESSAGES_PER_SEND = 100;
export const BYTES_PER_SEND = 200_000;

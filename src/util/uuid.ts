const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `s` is a UUID; other strings are never looked up (they would be a database error). */
export const isUuid = (s: string): boolean => UUID.test(s);

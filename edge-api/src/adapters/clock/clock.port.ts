/** Time, passed in so tests can move it (`createFixedClock`). */
export interface Clock {
  now(): Date
}

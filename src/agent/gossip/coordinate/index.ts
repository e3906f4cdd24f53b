/** Network coordinates (Vivaldi), as Serf computes them. Import from here. */
export {CoordinateClient, MAX_RTT_MS, type CoordinateClientOptions, type CoordinateClientStats} from './client.js'
export {defaultVivaldiConfig, type VivaldiConfig} from './config.js'
export {
  applyForce,
  cloneCoordinate,
  distance,
  isCompatible,
  isValidCoordinate,
  newCoordinate,
  rawDistance,
  unitVectorAt,
  DimensionalityError,
  type Coordinate,
} from './coordinate.js'
export {CoordinateError, type CoordinateErrorCode} from './errors.js'
export {PING_VERSION, coordinateFromWire} from './wire.js'

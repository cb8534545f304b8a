/** What a stored name or region may not hold: the C0 control characters and DEL (an upload and a rename refuse them). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

import packageJson from "../../package.json";

export const SERVICE_NAME = "AI Success Insights API";
export const SERVICE_VERSION: string = packageJson.version;

/** The OpenAPI document's `info.license`. The project is not published under an open-source licence. */
export const SERVICE_LICENSE = { name: "Proprietary" };

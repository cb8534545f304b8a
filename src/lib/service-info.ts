import packageJson from "../../package.json";

export const SERVICE_NAME = "AI Success Insights API";
export const SERVICE_VERSION: string = packageJson.version;

import { createRouter } from "../../lib/create-router";
import { getLiveness, getServiceInfo } from "./root.handlers";
import { liveness, serviceInfo } from "./root.routes";

export const rootRouter = createRouter().openapi(serviceInfo, getServiceInfo).openapi(liveness, getLiveness);

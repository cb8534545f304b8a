import { createRouter } from "../../lib/create-router";
import { list } from "./playbooks.handlers";
import { listPlaybooks } from "./playbooks.routes";

export const playbooksRouter = createRouter().openapi(listPlaybooks, list);

// The marker that frames the sections of every collector script's output ("@@oomlens meta",
// "@@oomlens frame 3 12.50", "@@oomlens end"): shared by the scripts (collect/) and their readers (parse/).
export const FRAME = '@@oomlens';

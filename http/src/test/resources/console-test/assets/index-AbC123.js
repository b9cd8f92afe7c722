console.log("console-test");
